import FazhiGateway
import FazhiPostgres
import FazhiRPC
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import GRPCCore
import GRPCProtobuf
import Logging
import Testing

/// The harness's store, until `down` is set: then every call fails as PostgreSQL does
/// when it cannot be reached.
final class OutageStore: TenantStore {
    let base: PostgresTenantStore
    let isDown = Locked(false)

    init(base: PostgresTenantStore) { self.base = base }

    private func check() throws {
        if isDown.current { throw PostgresError(code: .connectionFailed, message: "connection refused (simulated outage)") }
    }

    func agency(code: String) async throws -> Agency? {
        try check()
        return try await base.agency(code: code)
    }
    func agencies(after code: String?, limit: Int) async throws -> [Agency] {
        try check()
        return try await base.agencies(after: code, limit: limit)
    }
    func createAgency(code: String, name: String, divisionCode: String, admin: NewUser, audit: AuditRecord?, at now: Date) async throws -> Agency {
        try check()
        return try await base.createAgency(code: code, name: name, divisionCode: divisionCode, admin: admin, audit: audit, at: now)
    }
    func transaction<T: Sendable>(
        agency: UUID, _ access: TransactionAccess, _ body: @Sendable (any TenantTransaction) async throws -> T
    ) async throws -> T {
        try check()
        return try await base.transaction(agency: agency, access, body)
    }
    func liveSession(agency: UUID, tokenHash: Data) async throws -> LiveSession? {
        try check()
        return try await base.liveSession(agency: agency, tokenHash: tokenHash)
    }
    func claimIdempotencyKey(
        agency: UUID, userID: UUID, key: String, method: String, fingerprint: Data, claim: UUID, now: Date
    ) async throws -> IdempotencyClaim {
        try check()
        return try await base.claimIdempotencyKey(
            agency: agency, userID: userID, key: key, method: method, fingerprint: fingerprint, claim: claim, now: now)
    }
    func renewIdempotencyLease(agency: UUID, userID: UUID, key: String, claim: UUID, until: Date) async throws {
        try check()
        try await base.renewIdempotencyLease(agency: agency, userID: userID, key: key, claim: claim, until: until)
    }
    func appendAudit(_ record: AuditRecord, agency: UUID) async throws {
        try check()
        try await base.appendAudit(record, agency: agency)
    }
    func appendPlatformAudit(_ record: AuditRecord) async throws {
        try check()
        try await base.appendPlatformAudit(record)
    }
    func platformAuditEntries(_ filter: AuditFilter, after sequence: Int64?, limit: Int) async throws -> [AuditRecord] {
        try check()
        return try await base.platformAuditEntries(filter, after: sequence, limit: limit)
    }
    func ping() async throws {
        try check()
        try await base.ping()
    }
}

@Suite(.timeLimit(.minutes(3))) struct OutageTests {
    /// While the database cannot be reached: calls answer UNAVAILABLE with a retry hint,
    /// their audit rows go to the log, health says NOT_SERVING; afterwards all is as before.
    @Test func aDatabaseOutageIsUnavailableAndHealthFollowsIt() async throws {
        try await GatewayHarness.with { harness in
            let token = try await harness.withClient { try await harness.login($0) }
            let store = OutageStore(base: harness.store)
            let logs = LogCapture()
            var configuration = harness.gateway.configuration
            configuration.port = 0
            configuration.mutualTLSPort = nil
            configuration.databaseProbeInterval = .milliseconds(100)
            let gateway = try Gateway(
                configuration: configuration, store: store, logger: Logger(label: "outage", factory: { _ in logs }), clock: { harness.clock.now })
            let server = Task { try await gateway.run() }
            let (port, _) = try await gateway.boundPorts()
            try await harness.withClient(port: port) { client async throws in
                let health = Grpc_Health_V1_Health.Client(wrapping: client)
                let auth = Fazhi_V1_AuthService.Client(wrapping: client)
                #expect(try await health.check(.init()).status == .serving)
                #expect(try await auth.whoAmI(.init(), metadata: bearer(token)).caller.username == "admin")

                store.isDown.withLock { $0 = true }
                for call in ["WhoAmI", "Login"] {
                    let error = await #expect(throws: RPCError.self) {
                        if call == "WhoAmI" {
                            _ = try await auth.whoAmI(.init(), metadata: bearer(token))
                        } else {
                            _ = try await auth.login(
                                .with {
                                    $0.agencyCode = GatewayHarness.agencyCode
                                    $0.username = "admin"
                                    $0.password = "x"
                                })
                        }
                    }
                    #expect(error?.code == .unavailable, "\(call): \(String(describing: error))")
                    #expect(error?.reason == "UNAVAILABLE")
                    let details = (try? error?.unpackGoogleRPCStatus())?.details ?? []
                    #expect(details.contains { $0.retryInfo != nil }, "with a retry hint")
                }
                #expect(try await Self.eventually { try await health.check(.init()).status == .notServing }, "health follows the outage")
                #expect(
                    logs.all.contains { $0.contains("audit row not written") && $0.contains("audit.method=fazhi.v1.AuthService/WhoAmI") },
                    "the refused call's audit row is in the log")

                store.isDown.withLock { $0 = false }
                #expect(try await Self.eventually { try await health.check(.init()).status == .serving }, "and recovers with it")
                #expect(try await auth.whoAmI(.init(), metadata: bearer(token)).caller.username == "admin")
            }
            gateway.beginGracefulShutdown()
            try await server.value
            // Health checks leave no audit row.
            #expect(try await harness.auditRows().allSatisfy { !$0.method.hasPrefix("grpc.health") })
        }
    }

    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<100 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
