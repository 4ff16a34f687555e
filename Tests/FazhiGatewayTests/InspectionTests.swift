import FazhiGateway
import FazhiPostgres
import FazhiRPC
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import GRPCCore
import Testing

@Suite(.timeLimit(.minutes(3))) struct InspectionTests {
    @Test func theRectificationLoopToClosureAndToOverdue() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let bench = try await CaseServiceTests.bench(harness, client)
                let corps = bench.corps
                let service = Fazhi_V1_CaseService.Client(wrapping: client)
                let li = bearer(corps.liToken)
                let wang = bearer(corps.wangToken)
                let two = [corps.liOfficerID, corps.wangOfficerID]
                func both(_ kase: Fazhi_V1_Case, _ step: String) async throws -> Fazhi_V1_Case {
                    _ = try await service.takeStep(
                        .with {
                            $0.caseID = kase.caseID
                            $0.step = step
                            $0.officerIds = two
                        }, metadata: li)
                    return try await service.confirmStep(.with { $0.caseID = kase.caseID }, metadata: wang)
                }
                var kase = try await service.openCase(
                    .with {
                        $0.itemCode = "MZ-JC-002"
                        $0.partyID = bench.partyID
                        $0.officerIds = two
                    }, metadata: li)
                _ = try await service.confirmStep(.with { $0.caseID = kase.caseID }, metadata: wang)
                kase = try await both(kase, "inspect")
                let unknown = await #expect(throws: RPCError.self) {
                    _ = try await service.recordFindings(
                        .with {
                            $0.caseID = kase.caseID
                            $0.findings = [
                                .with {
                                    $0.checklistCode = "FIRE-1"
                                    $0.description_p = "x"
                                }
                            ]
                        }, metadata: li)
                }
                #expect(unknown?.code == .invalidArgument, "an organization's checklist has no fire item")
                kase = try await service.recordFindings(
                    .with {
                        $0.caseID = kase.caseID
                        $0.findings = [
                            .with {
                                $0.checklistCode = "GEN-2"
                                $0.description_p = "财务制度未执行"
                            },
                            .with {
                                $0.checklistCode = "GEN-3"
                                $0.description_p = "消防隐患"
                            },
                        ]
                    }, metadata: li)
                let today = Moment(instant: harness.clock.now).day
                let calendar = WorkingDayCalendar(schedules: try await PostgresCalendarStore(pool: harness.pool).schedules())
                #expect(
                    kase.findings.count == 2
                        && kase.findings.allSatisfy { $0.deadline == calendar.addingWorkingDays(15, after: today).day.description })
                #expect(kase.nextStep == "reinspect")
                let early = await #expect(throws: RPCError.self) { _ = try await service.closeCase(.with { $0.caseID = kase.caseID }, metadata: li) }
                #expect(early?.code == .failedPrecondition)

                // Past the deadline: the sweep marks both once and lists them for the unit's head.
                harness.clock.advance(by: 40 * 86_400)
                let agency = try #require(try await harness.store.agency(code: GatewayHarness.agencyCode))
                let work = CaseWork(store: harness.store)
                let first = try await work.rectificationSweep(agency: agency, at: Moment(instant: harness.clock.now))
                #expect(first.marked == 2 && first.overdue.count == 2 && first.overdue.allSatisfy { $0.unit == "社会组织管理科" })
                #expect(try await work.rectificationSweep(agency: agency, at: Moment(instant: harness.clock.now)).marked == 0, "idempotent")
                // Sessions expired with the time travel: sign in again.
                let approver = bearer(try await harness.login(client, username: "zhou", password: try await Self.reset(harness, client, "zhou")))
                let listed = try await service.listOverdueRectifications(.init(), metadata: approver)
                #expect(listed.orders.count == 2 && listed.orders.allSatisfy { !$0.finding.overdueSince.isEmpty })

                // Re-inspection verifies both; then the inspection closes.
                let li2 = bearer(try await harness.login(client, username: "li", password: try await Self.reset(harness, client, "li")))
                let wang2 = bearer(try await harness.login(client, username: "wang", password: try await Self.reset(harness, client, "wang")))
                _ = try await service.takeStep(
                    .with {
                        $0.caseID = kase.caseID
                        $0.step = "reinspect"
                        $0.officerIds = two
                    }, metadata: li2)
                _ = try await service.confirmStep(.with { $0.caseID = kase.caseID }, metadata: wang2)
                kase = try await service.verifyRectification(
                    .with {
                        $0.caseID = kase.caseID
                        $0.findingIds = kase.findings.map(\.findingID)
                    }, metadata: li2)
                #expect(kase.nextStep == "close")
                kase = try await service.closeCase(
                    .with {
                        $0.caseID = kase.caseID
                        $0.text = "整改完毕，闭环"
                    }, metadata: li2)
                #expect(kase.status == "closed")
                let record = try await service.getCase(.with { $0.caseID = kase.caseID }, metadata: li2).record.map(\.event)
                #expect(record.contains("findings:2") && record.contains("overdue") && record.contains("verify:2"))
                #expect(try await service.listOverdueRectifications(.init(), metadata: approver).orders.isEmpty)
            }
        }
    }

    /// A new password for `username`, set by the agency's admin (the old sessions and the
    /// admin's own expired with the clock).
    static func reset(_ harness: GatewayHarness, _ client: GRPCClient<some ClientTransport>, _ username: String) async throws -> String {
        let password = "Reset-\(UUID().uuidString.prefix(12))"
        guard let agency = try await harness.store.agency(code: GatewayHarness.agencyCode) else { throw CancellationError() }
        try await harness.store.transaction(agency: agency.id, .write(for: nil)) { tx in
            guard let user = try await tx.user(username: username) else { throw CancellationError() }
            try await tx.setPasswordHash(userID: user.id, hash: try PasswordHash.make(password, parameters: GatewayHarness.scrypt), at: Date())
        }
        return password
    }
}
