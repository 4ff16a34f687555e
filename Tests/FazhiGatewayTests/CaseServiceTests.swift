import FazhiGateway
import FazhiPostgres
import FazhiRPC
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing

@Suite(.timeLimit(.minutes(3))) struct CaseServiceTests {
    struct Bench: Sendable {
        let corps: CorpsFixture
        let wangCredential: Fazhi_V1_Credential
        let reviewer: Metadata
        let approver: Metadata
        let partyID: String
    }

    /// The corps, 王's credential issued for 社会组织管理 too, the Hubin power list published,
    /// a legal reviewer and an approver, and a party.
    static func bench(_ harness: GatewayHarness, _ client: GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Bench {
        let corps = try await CorpsFixture.make(harness, client)
        let credentials = Fazhi_V1_CredentialService.Client(wrapping: client)
        let asAdmin = bearer(corps.credentialAdminToken)
        let application = try await credentials.applyForCredential(
            .with {
                $0.officerID = corps.wangOfficerID
                $0.categories = ["社会组织管理"]
                $0.reason = "申领"
            }, metadata: asAdmin)
        let wang = try await credentials.issueCredential(
            .with {
                $0.credentialID = application.credentialID
                $0.reason = "批准"
            }, metadata: asAdmin)
        let items = try PowerListServiceTests.hubinItems()
        let powerList = Fazhi_V1_PowerListService.Client(wrapping: client)
        let admin = bearer(corps.adminToken)
        _ = try await powerList.replacePowerListDraft(.with { $0.items = items.map(Fazhi_V1_PowerItem.init) }, metadata: admin)
        _ = try await powerList.publishPowerList(.with { $0.reason = "发布" }, metadata: admin)
        func user(_ name: String, _ role: Role) async throws -> Metadata {
            let password = try await harness.createUser(client, adminToken: corps.adminToken, username: name, roles: [role])
            return bearer(try await harness.login(client, username: name, password: password))
        }
        let party = try await Fazhi_V1_PartyService.Client(wrapping: client).createParty(
            .with {
                $0.kind = "organization"
                $0.name = "湖滨区某某协会"
                $0.creditCode = "91350100M000100Y43"
            }, metadata: bearer(corps.liToken))
        return Bench(
            corps: corps, wangCredential: wang, reviewer: try await user("sun", .legalReviewer), approver: try await user("zhou", .approver),
            partyID: party.partyID)
    }

    @Test func aMajorPenaltyCaseFromOpeningToClosing() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let bench = try await Self.bench(harness, client)
                let corps = bench.corps
                let service = Fazhi_V1_CaseService.Client(wrapping: client)
                let li = bearer(corps.liToken)
                let wang = bearer(corps.wangToken)
                let two = [corps.liOfficerID, corps.wangOfficerID]

                let alone = await #expect(throws: RPCError.self) {
                    _ = try await service.openCase(
                        .with {
                            $0.itemCode = "MZ-CF-001"
                            $0.partyID = bench.partyID
                            $0.officerIds = [corps.liOfficerID]
                        }, metadata: li)
                }
                #expect(alone?.code == .failedPrecondition && alone?.localizedMessages["en"]?.contains("at least 2 officers") == true)
                let unlisted = await #expect(throws: RPCError.self) {
                    _ = try await service.openCase(
                        .with {
                            $0.itemCode = "MZ-XX-999"
                            $0.partyID = bench.partyID
                            $0.officerIds = two
                        }, metadata: li)
                }
                #expect(unlisted?.code == .failedPrecondition, "no act without a published item")

                var kase = try await service.openCase(
                    .with {
                        $0.itemCode = "MZ-CF-001"
                        $0.partyID = bench.partyID
                        $0.officerIds = two
                        $0.text = "接举报立案"
                    }, metadata: li)
                #expect(kase.kind == "penalty" && kase.major == "undetermined" && kase.steps.first?.complete == false)
                let today = Moment(instant: harness.clock.now).day
                #expect(kase.decisionDue == today.adding(days: 90).description, "decided within 90 days of opening")
                let pending = await #expect(throws: RPCError.self) {
                    _ = try await service.takeStep(
                        .with {
                            $0.caseID = kase.caseID
                            $0.step = "investigate"
                            $0.officerIds = two
                        }, metadata: li)
                }
                #expect(
                    pending?.code == .failedPrecondition && pending?.localizedMessages["en"]?.contains(corps.wangOfficerID) == true,
                    "names who has not confirmed")
                kase = try await service.confirmStep(
                    .with {
                        $0.caseID = kase.caseID
                        $0.text = "确认"
                    }, metadata: wang)
                #expect(kase.steps.first?.complete == true && kase.nextStep == "investigate")

                func both(_ step: String, fine: String = "") async throws -> Fazhi_V1_Case {
                    _ = try await service.takeStep(
                        .with {
                            $0.caseID = kase.caseID
                            $0.step = step
                            $0.officerIds = two
                            $0.intendedFine = fine
                            $0.text = step
                        }, metadata: li)
                    return try await service.confirmStep(.with { $0.caseID = kase.caseID }, metadata: wang)
                }
                kase = try await both("investigate")
                kase = try await both("notify", fine: "20000.00")
                #expect(kase.major == "yes" && kase.nextStep == "legal_review")
                let early = await #expect(throws: RPCError.self) {
                    _ = try await service.approveCase(.with { $0.caseID = kase.caseID }, metadata: bench.approver)
                }
                #expect(early?.code == .failedPrecondition)
                kase = try await service.reviewCase(
                    .with {
                        $0.caseID = kase.caseID
                        $0.outcome = "approve"
                        $0.text = "事实清楚，证据确凿，程序合法"
                    }, metadata: bench.reviewer)
                kase = try await service.approveCase(
                    .with {
                        $0.caseID = kase.caseID
                        $0.text = "同意"
                    }, metadata: bench.approver)
                kase = try await service.decideCase(
                    .with {
                        $0.caseID = kase.caseID
                        $0.outcome = "罚款"
                        $0.legalBasis = "《社会团体登记管理条例》第三十条"
                        $0.fine = "20000.00"
                    }, metadata: li)
                let year = Moment(instant: harness.clock.now).day.year
                #expect(kase.decision.documentNumber == "民罚决字〔\(year)〕第001号" && kase.decision.fine == "20000")
                // The decision is queued for publication, due 7 working days later on the national calendar.
                let calendar = WorkingDayCalendar(schedules: try await PostgresCalendarStore(pool: harness.pool).schedules())
                let owner = try await harness.database.ownerConnection()
                let number = kase.decision.documentNumber
                let queued: [String] = try await owner.transaction(TransactionOptions(agencyID: try await harness.agencyID())) {
                    try await $0.query("SELECT payload->>'due' FROM public_record_outbox WHERE topic = 'decision' AND subject = $1", [number])
                        .map { try $0.decode(at: 0) }
                }
                owner.close()
                #expect(queued == [calendar.addingWorkingDays(7, after: today).day.description])
                kase = try await both("serve")
                kase = try await both("execute")
                kase = try await service.closeCase(
                    .with {
                        $0.caseID = kase.caseID
                        $0.text = "结案归档"
                    }, metadata: li)
                #expect(kase.status == "closed")

                let full = try await service.getCase(.with { $0.caseID = kase.caseID }, metadata: bench.approver)
                #expect(full.record.first?.event == "take" && full.record.first?.text == "接举报立案" && full.record.last?.event == "close")
                #expect(full.record.contains { $0.event == "review:approve" && $0.text.contains("证据确凿") })
                let byOfficer = try await service.listCases(
                    .with {
                        $0.officerID = corps.wangOfficerID
                        $0.status = "closed"
                    }, metadata: bench.reviewer)
                #expect(byOfficer.cases.map(\.caseID) == [kase.caseID])
                #expect(try await service.listCases(.with { $0.status = "open" }, metadata: bench.reviewer).cases.isEmpty)
            }
        }
    }

    @Test func aSuspendedOfficerAndAReviewerWhoActedAreRefused() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let bench = try await Self.bench(harness, client)
                let corps = bench.corps
                let service = Fazhi_V1_CaseService.Client(wrapping: client)
                _ = try await Fazhi_V1_CredentialService.Client(wrapping: client).suspendCredential(
                    .with {
                        $0.credentialID = bench.wangCredential.credentialID
                        $0.reason = "调查"
                    }, metadata: bearer(corps.credentialAdminToken))
                let suspended = await #expect(throws: RPCError.self) {
                    _ = try await service.openCase(
                        .with {
                            $0.itemCode = "MZ-CF-001"
                            $0.partyID = bench.partyID
                            $0.officerIds = [corps.liOfficerID, corps.wangOfficerID]
                        }, metadata: bearer(corps.liToken))
                }
                #expect(suspended?.code == .permissionDenied)
                // People read why (the refusal's label); programs get the code.
                #expect(
                    suspended?.localizedMessages["en"]?.contains(corps.wangOfficerID) == true
                        && suspended?.localizedMessages["zh-CN"]?.contains("执法证已暂扣") == true
                        && suspended?.localizedMessages["en"]?.contains("the credential is suspended") == true)
                #expect(suspended?.errorMetadata["refusal"] == "CREDENTIAL_SUSPENDED")
                // An area outside the agency's jurisdiction.
                let outside = await #expect(throws: RPCError.self) {
                    _ = try await service.openCase(
                        .with {
                            $0.itemCode = "MZ-XK-001"
                            $0.partyID = bench.partyID
                            $0.officerIds = [corps.liOfficerID]
                            $0.area = "411203"
                        }, metadata: bearer(corps.liToken))
                }
                #expect(outside?.code == .invalidArgument && outside?.localizedMessages["en"]?.contains("411203") == true)
                // A user who is not an officer cannot open a case even with the role.
                let notLinked = try await harness.createUser(client, adminToken: corps.adminToken, username: "qian", roles: [.officer])
                let qian = bearer(try await harness.login(client, username: "qian", password: notLinked))
                let unlinked = await #expect(throws: RPCError.self) {
                    _ = try await service.openCase(
                        .with {
                            $0.itemCode = "MZ-XK-001"
                            $0.partyID = bench.partyID
                            $0.officerIds = [corps.liOfficerID]
                        }, metadata: qian)
                }
                #expect(unlinked?.code == .permissionDenied)
            }
        }
    }

    @Test func aLegalReviewerWhoActedInTheCaseCannotReviewIt() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let bench = try await Self.bench(harness, client)
                let corps = bench.corps
                let service = Fazhi_V1_CaseService.Client(wrapping: client)
                let li = bearer(corps.liToken)
                let wang = bearer(corps.wangToken)
                let two = [corps.liOfficerID, corps.wangOfficerID]
                // 王 is also the agency's legal counsel.
                _ = try await Fazhi_V1_AdminService.Client(wrapping: client).setUserRoles(
                    .with {
                        $0.username = "wang"
                        $0.roles = ["officer", "legal_reviewer"]
                    },
                    metadata: bearer(corps.adminToken))
                let kase = try await service.openCase(
                    .with {
                        $0.itemCode = "MZ-CF-001"
                        $0.partyID = bench.partyID
                        $0.officerIds = two
                    }, metadata: li)
                _ = try await service.confirmStep(.with { $0.caseID = kase.caseID }, metadata: wang)
                for (step, fine) in [("investigate", ""), ("notify", "50000")] {
                    _ = try await service.takeStep(
                        .with {
                            $0.caseID = kase.caseID
                            $0.step = step
                            $0.officerIds = two
                            $0.intendedFine = fine
                        }, metadata: li)
                    _ = try await service.confirmStep(.with { $0.caseID = kase.caseID }, metadata: wang)
                }
                let own = await #expect(throws: RPCError.self) {
                    _ = try await service.reviewCase(
                        .with {
                            $0.caseID = kase.caseID
                            $0.outcome = "approve"
                            $0.text = "同意"
                        }, metadata: wang)
                }
                #expect(own?.code == .failedPrecondition && own?.localizedMessages["en"]?.contains("took part") == true)
                let reviewed = try await service.reviewCase(
                    .with {
                        $0.caseID = kase.caseID
                        $0.outcome = "return"
                        $0.text = "证据不足，补充调查"
                    }, metadata: bench.reviewer)
                #expect(reviewed.nextStep == "notify" && reviewed.reviewOutcome == "return")
                let undecided = await #expect(throws: RPCError.self) {
                    _ = try await service.decideCase(
                        .with {
                            $0.caseID = kase.caseID
                            $0.outcome = "罚款"
                            $0.legalBasis = "依据"
                            $0.fine = "50000"
                        }, metadata: li)
                }
                #expect(undecided?.code == .failedPrecondition, "no decision without an approving review")
            }
        }
    }
}
