import FazhiGateway
import FazhiRPC
import FazhiRules
import FazhiUseCases
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import SwiftProtobuf
import Testing

/// Each input that once stopped the server or answered INTERNAL, now refused at the
/// boundary with INVALID_ARGUMENT naming the field, audited like any refusal; and the
/// server still serving afterwards.
@Suite(.timeLimit(.minutes(3))) struct BoundaryTests {
    static func expectRefused(field: String, _ call: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async {
        let error = await #expect(throws: RPCError.self, sourceLocation: sourceLocation) { try await call() }
        #expect(error?.code == .invalidArgument, "\(String(describing: error))", sourceLocation: sourceLocation)
        #expect(error?.field == field, "the error names \(field): \(String(describing: error))", sourceLocation: sourceLocation)
        #expect(
            error?.localizedMessages["zh-CN"]?.isEmpty == false && error?.localizedMessages["en"]?.isEmpty == false,
            "in Chinese and English", sourceLocation: sourceLocation)
    }

    static func expectServing(_ client: GRPCClient<HTTP2ClientTransport.Posix>) async throws {
        #expect(try await Grpc_Health_V1_Health.Client(wrapping: client).check(.init()).status == .serving)
    }

    @Test func logPositionsNearTheEndOfInt64AreRefusedNotATrap() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let disclosures = Fazhi_V1_DisclosureService.Client(wrapping: client)
                let code = GatewayHarness.agencyCode
                for start: Int64 in [.max, .max - 5, (1 << 48) + 1, -1] {
                    await Self.expectRefused(field: "start") {
                        _ = try await disclosures.listLogEntries(
                            .with {
                                $0.agencyCode = code
                                $0.start = start
                                $0.count = 1000
                            })
                    }
                }
                await Self.expectRefused(field: "tree_size") {
                    _ = try await disclosures.getDisclosure(
                        .with {
                            $0.agencyCode = code
                            $0.id = UUID().uuidString
                            $0.treeSize = Int64.max
                        })
                }
                await Self.expectRefused(field: "new_size") {
                    _ = try await disclosures.getConsistencyProof(
                        .with {
                            $0.agencyCode = code
                            $0.oldSize = 1
                            $0.newSize = Int64.max
                        })
                }
                await Self.expectRefused(field: "old_size") {
                    _ = try await disclosures.getConsistencyProof(
                        .with {
                            $0.agencyCode = code
                            $0.oldSize = Int64.min
                            $0.newSize = 2
                        })
                }
                try await Self.expectServing(client)
            }
        }
    }

    @Test func auditTimesBeyondTheTimestampRangeAreRefused() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let audit = Fazhi_V1_AuditService.Client(wrapping: client)
                let admin = bearer(try await harness.login(client))
                for seconds in [Int64.min, Int64.max, -62_135_596_801, 253_402_300_800] {
                    await Self.expectRefused(field: "since") {
                        _ = try await audit.listAuditEntries(.with { $0.since = .with { $0.seconds = seconds } }, metadata: admin)
                    }
                    await Self.expectRefused(field: "until") {
                        _ = try await audit.listAuditEntries(.with { $0.until = .with { $0.seconds = seconds } }, metadata: admin)
                    }
                }
                await Self.expectRefused(field: "until") {
                    _ = try await audit.listAuditEntries(
                        .with {
                            $0.until = .with {
                                $0.seconds = 0
                                $0.nanos = -1
                            }
                        }, metadata: admin)
                }
                // The bounds themselves are times like any other.
                _ = try await audit.listAuditEntries(
                    .with {
                        $0.since = .with { $0.seconds = -62_135_596_800 }
                        $0.until = .with {
                            $0.seconds = 253_402_300_799
                            $0.nanos = 999_999_999
                        }
                    }, metadata: admin)
                try await Self.expectServing(client)
            }
        }
    }

    @Test func textWithANULCharacterIsRefusedAndAudited() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                await Self.expectRefused(field: "agency_code") {
                    _ = try await Fazhi_V1_DisclosureService.Client(wrapping: client).listDisclosures(.with { $0.agencyCode = "411202-MZ\0" })
                }
                await Self.expectRefused(field: "number") {
                    _ = try await Fazhi_V1_VerificationService.Client(wrapping: client).verifyCredential(.with { $0.number = "411202-MZ\0" })
                }
                await Self.expectRefused(field: "username") {
                    _ = try await Fazhi_V1_AuthService.Client(wrapping: client).login(
                        .with {
                            $0.agencyCode = GatewayHarness.agencyCode
                            $0.username = "admin\0"
                            $0.password = "x"
                        })
                }
                let adminToken = try await harness.login(client)
                let admin = bearer(adminToken)
                let password = try await harness.createUser(client, adminToken: adminToken, username: "wu", roles: [.complianceOfficer])
                let compliance = bearer(try await harness.login(client, username: "wu", password: password))
                await Self.expectRefused(field: "fields") {
                    _ = try await Fazhi_V1_DisclosureService.Client(wrapping: client).correctDisclosure(
                        .with {
                            $0.id = UUID().uuidString
                            $0.fields = ["outcome": "a\0b"]
                            $0.reason = "更正"
                        }, metadata: compliance)
                }
                await Self.expectRefused(field: "page.page_token") {
                    _ = try await Fazhi_V1_AdminService.Client(wrapping: client).listUsers(.with { $0.page.pageToken = "\0" }, metadata: admin)
                }
                let rows =
                    try await harness.platformAuditRows().map { "\($0.method) \($0.status)" }
                    + harness.auditRows().map { "\($0.method) \($0.status)" }
                for method in [
                    "DisclosureService/ListDisclosures", "VerificationService/VerifyCredential", "AuthService/Login",
                    "DisclosureService/CorrectDisclosure",
                    "AdminService/ListUsers",
                ] {
                    #expect(rows.contains("fazhi.v1.\(method) INVALID_ARGUMENT"), "\(method) left its audit row: \(rows)")
                }
                try await Self.expectServing(client)
            }
        }
    }

    @Test func textLongerThanAnyFieldTakesIsRefused() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                await Self.expectRefused(field: "number") {
                    _ = try await Fazhi_V1_VerificationService.Client(wrapping: client).verifyCredential(
                        .with {
                            $0.number = String(repeating: "长", count: 1 << 18)
                        })
                }
            }
        }
    }

    @Test func daysOutsideTheAcceptedYearsAreRefused() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let corps = try await CorpsFixture.make(harness, client)
                let credentials = Fazhi_V1_CredentialService.Client(wrapping: client)
                for day in ["0000-01-01", "1899-12-31", "2100-01-01", "9999-12-31"] {
                    await Self.expectRefused(field: "day") {
                        _ = try await credentials.recordExamResult(
                            .with {
                                $0.officerID = corps.liOfficerID
                                $0.day = day
                                $0.score = 80
                            },
                            metadata: bearer(corps.credentialAdminToken))
                    }
                }
                try await Self.expectServing(client)
            }
        }
    }

    /// An amount the database could not keep (numeric(16, 2)) is refused before any lookup.
    @Test func amountsBeyondWhatTheDatabaseKeepsAreRefused() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let corps = try await CorpsFixture.make(harness, client)
                let cases = Fazhi_V1_CaseService.Client(wrapping: client)
                for amount in ["99999999999999999999", "1000000000000", "1.001", "1..0", ".5", "5."] {
                    await Self.expectRefused(field: "intended_fine") {
                        _ = try await cases.takeStep(
                            .with {
                                $0.caseID = UUID().uuidString
                                $0.step = "notify"
                                $0.intendedFine = amount
                            }, metadata: bearer(corps.liToken))
                    }
                    await Self.expectRefused(field: "fine") {
                        _ = try await cases.decideCase(
                            .with {
                                $0.caseID = UUID().uuidString
                                $0.outcome = "罚款"
                                $0.legalBasis = "条例"
                                $0.fine = amount
                            }, metadata: bearer(corps.liToken))
                    }
                }
                try await Self.expectServing(client)
            }
        }
    }

    /// A change that finds nothing to change (enabling an enabled user) still leaves the
    /// call's one audit row.
    @Test func aChangeWithNothingToChangeIsStillAudited() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let admin = bearer(try await harness.login(client))
                _ = try await harness.createUser(client, adminToken: try await harness.login(client), username: "qian", roles: [.auditor])
                _ = try await Fazhi_V1_AdminService.Client(wrapping: client).enableUser(.with { $0.username = "qian" }, metadata: admin)
                let rows = try await harness.auditRows().filter { $0.method == "fazhi.v1.AdminService/EnableUser" }
                #expect(rows.count == 1 && rows.first?.status == "OK", "\(rows)")
            }
        }
    }
}

extension RPCError {
    /// The field an INVALID_ARGUMENT names (`ErrorInfo.metadata["field"]`).
    var field: String? { errorMetadata["field"] }

    /// The machine-readable facts of the error (`ErrorInfo.metadata`).
    var errorMetadata: [String: String] {
        guard let status = try? unpackGoogleRPCStatus() else { return [:] }
        for detail in status.details {
            if let info = detail.errorInfo { return info.metadata }
        }
        return [:]
    }
}
