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

@Suite(.timeLimit(.minutes(3))) struct IdempotencyTests {
    func keyed(_ token: String, _ key: String) -> Metadata {
        var metadata = bearer(token)
        metadata.addString(key, forKey: "idempotency-key")
        return metadata
    }

    @Test func aRetryReturnsTheFirstOutcomeAcrossARestartAndWritesNothingTwice() async throws {
        try await GatewayHarness.with { harness in
            let request = Fazhi_V1_CreateUserRequest.with {
                $0.username = "zhao.liu"
                $0.displayName = "赵六"
                $0.initialPassword = "Zhao-Liu-Passw0rd"
                $0.roles = ["officer"]
            }
            let (token, first) = try await harness.withClient { client in
                let token = try await harness.login(client)
                let admin = Fazhi_V1_AdminService.Client(wrapping: client)
                let first = try await admin.createUser(request, metadata: keyed(token, "create-zhao-liu"))
                let again = try await admin.createUser(request, metadata: keyed(token, "create-zhao-liu"))
                #expect(again == first)
                // Without a key the same request is a new call, and the name is taken.
                let plain = await #expect(throws: RPCError.self) { _ = try await admin.createUser(request, metadata: bearer(token)) }
                #expect(plain?.reason == "ALREADY_EXISTS")
                // The same key with another request is refused.
                var other = request
                other.username = "zhao.qi"
                let reused = await #expect(throws: RPCError.self) { _ = try await admin.createUser(other, metadata: keyed(token, "create-zhao-liu")) }
                #expect(reused?.code == .failedPrecondition)
                #expect(reused?.reason == "IDEMPOTENCY_KEY_REUSED")
                return (token, first)
            }
            // Another server on the same database answers the retry from the stored outcome.
            try await harness.withRestartedGateway { client in
                let admin = Fazhi_V1_AdminService.Client(wrapping: client)
                let afterRestart = try await admin.createUser(request, metadata: keyed(token, "create-zhao-liu"))
                #expect(afterRestart == first)
                let users = try await admin.listUsers(.init(), metadata: bearer(token)).users
                #expect(users.filter { $0.username == "zhao.liu" }.count == 1)
                #expect(!users.contains { $0.username == "zhao.qi" })
            }
            let created = try await harness.auditRows().filter { $0.method == "fazhi.v1.AdminService/CreateUser" }.map(\.status)
            #expect(created == ["OK", "OK", "ALREADY_EXISTS", "FAILED_PRECONDITION", "OK"], "every call is audited, retries included")
        }
    }

    /// The first call acted and committed, but its outcome could not be kept (a trigger
    /// refuses it here): the caller still gets the answer, and the key stays taken, so a
    /// retry is told to wait instead of acting a second time.
    @Test func anOutcomeThatCannotBeKeptNeverLetsARetryActTwice() async throws {
        try await GatewayHarness.with { harness in
            let owner = try await harness.database.ownerConnection()
            try await owner.simpleQuery(
                """
                CREATE FUNCTION refuse_outcome() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'the outcome is refused for this test'; END $$;
                CREATE TRIGGER refuse_outcome BEFORE UPDATE ON idempotency_keys FOR EACH ROW WHEN (NEW.state = 'done') EXECUTE FUNCTION refuse_outcome();
                """)
            owner.close()
            try await harness.withClient { client in
                let token = try await harness.login(client)
                let admin = Fazhi_V1_AdminService.Client(wrapping: client)
                let request = Fazhi_V1_CreateUserRequest.with {
                    $0.username = "zhao.liu"
                    $0.displayName = "赵六"
                    $0.initialPassword = "Zhao-Liu-Passw0rd"
                    $0.roles = ["officer"]
                }
                let first = try await admin.createUser(request, metadata: keyed(token, "create-zhao-liu"))
                #expect(first.username == "zhao.liu")
                let retry = await #expect(throws: RPCError.self) {
                    _ = try await admin.createUser(request, metadata: keyed(token, "create-zhao-liu"))
                }
                #expect(retry?.code == .aborted && retry?.reason == "IDEMPOTENCY_KEY_IN_USE")
                // Once the lease has run out, the retry learns the call acted (the user was
                // created in a transaction that marked the key) instead of running again.
                let owner = try await harness.database.ownerConnection()
                try await owner.transaction(TransactionOptions(agencyID: try await harness.agencyID())) {
                    try await $0.query("UPDATE idempotency_keys SET lease_until = '2000-01-01' WHERE key = 'create-zhao-liu'")
                }
                owner.close()
                let late = await #expect(throws: RPCError.self) {
                    _ = try await admin.createUser(request, metadata: keyed(token, "create-zhao-liu"))
                }
                #expect(late?.reason == "IDEMPOTENCY_OUTCOME_LOST", "\(String(describing: late))")
                let users = try await admin.listUsers(.init(), metadata: bearer(token)).users
                #expect(users.filter { $0.username == "zhao.liu" }.count == 1)
            }
        }
    }

    @Test func aDomainErrorIsAnOutcomeToo() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let token = try await harness.login(client)
                let admin = Fazhi_V1_AdminService.Client(wrapping: client)
                let bad = Fazhi_V1_CreateUserRequest.with {
                    $0.username = "Not Valid"
                    $0.displayName = "x"
                    $0.initialPassword = "Some-Passw0rd-1"
                }
                let first = await #expect(throws: RPCError.self) { _ = try await admin.createUser(bad, metadata: keyed(token, "k-bad")) }
                let second = await #expect(throws: RPCError.self) { _ = try await admin.createUser(bad, metadata: keyed(token, "k-bad")) }
                #expect(first?.reason == "INVALID_ARGUMENT")
                #expect(second?.code == first?.code && second?.reason == first?.reason && second?.message == first?.message)
                let badKey = await #expect(throws: RPCError.self) {
                    _ = try await admin.createUser(bad, metadata: keyed(token, String(repeating: "k", count: 129)))
                }
                #expect(badKey?.reason == "INVALID_ARGUMENT")
            }
        }
    }

    @Test func signInIsOutsideIdempotency() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let auth = Fazhi_V1_AuthService.Client(wrapping: client)
                var metadata = Metadata()
                metadata.addString("same-key", forKey: "idempotency-key")
                let request = Fazhi_V1_LoginRequest.with {
                    $0.agencyCode = GatewayHarness.agencyCode
                    $0.username = "admin"
                    $0.password = GatewayHarness.adminPassword
                }
                let first = try await auth.login(request, metadata: metadata)
                let second = try await auth.login(request, metadata: metadata)
                #expect(first.token != second.token, "each sign-in makes a new session; no stored response holds a token")
            }
            let owner = try await harness.database.ownerConnection()
            let keys: Int = try await owner.transaction(TransactionOptions(agencyID: try await harness.agencyID())) {
                try await $0.scalar("SELECT count(*) FROM idempotency_keys")
            }
            owner.close()
            #expect(keys == 0)
        }
    }
}
