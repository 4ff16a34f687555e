import FazhiPostgres
import FazhiRPC
import FazhiRules
import FazhiUseCases
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SwiftProtobuf
import Testing

/// Every RPC, found from the committed descriptor set (so a new method is covered without
/// anyone adding it), called with extreme and malformed requests, unauthenticated and as
/// each role. No call may answer INTERNAL or UNKNOWN, the server must stay up, and every
/// call but a health check must leave exactly one audit row.
///
/// A fixed number of calls from a fixed seed, so a slow machine covers the same ground;
/// `FAZHI_FUZZ_CALLS` and `FAZHI_FUZZ_SEED` run more, or other, calls.
@Suite(.timeLimit(.minutes(10))) struct RPCFuzzTests {
    static let defaultCalls = 1500
    static let defaultSeed: UInt64 = 20_261_207

    static var descriptorSetPath: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("proto/fazhi.binpb")
    }

    struct Method: Sendable {
        let descriptor: MethodDescriptor
        let input: String
        let clientStreaming: Bool
        let serverStreaming: Bool
    }

    /// Every method of every service in the descriptor set; the health watch (which streams
    /// until shutdown) is left out.
    static func methods(_ set: Google_Protobuf_FileDescriptorSet) -> [Method] {
        set.file.flatMap { file in
            file.service.flatMap { service in
                service.method.compactMap { method -> Method? in
                    let fullName = file.package.isEmpty ? service.name : "\(file.package).\(service.name)"
                    guard !(fullName == "grpc.health.v1.Health" && method.name == "Watch") else { return nil }
                    return Method(
                        descriptor: MethodDescriptor(fullyQualifiedService: fullName, method: method.name), input: method.inputType,
                        clientStreaming: method.clientStreaming, serverStreaming: method.serverStreaming)
                }
            }
        }
    }

    struct Outcome: Sendable {
        let method: String
        let caller: String
        let code: RPCError.Code?
        let message: String
    }

    @Test func noRequestStopsTheServerOrAnswersInternal() async throws {
        let environment = ProcessInfo.processInfo.environment
        let calls = environment["FAZHI_FUZZ_CALLS"].flatMap(Int.init) ?? Self.defaultCalls
        let seed = environment["FAZHI_FUZZ_SEED"].flatMap(UInt64.init) ?? Self.defaultSeed
        let descriptors = try Google_Protobuf_FileDescriptorSet(serializedBytes: try Data(contentsOf: Self.descriptorSetPath))
        let methods = Self.methods(descriptors)
        #expect(methods.count > 60, "the descriptor set lists the services")

        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let corps = try await CorpsFixture.make(harness, client)
                var callers: [(String, String?)] = [
                    ("none", nil), ("forged", "not-a-token"), ("admin", corps.adminToken), ("credential_admin", corps.credentialAdminToken),
                    ("officer", corps.liToken), ("officer_without_credential", corps.wangToken), ("auditor", corps.auditorToken),
                ]
                callers.append(
                    (
                        "platform_admin",
                        try await harness.login(client, username: "operator", password: try await platformAdmin(harness), agency: "platform")
                    ))
                for role in [Role.legalReviewer, .approver, .complianceOfficer] {
                    let password = try await harness.createUser(
                        client, adminToken: corps.adminToken, username: "fuzz-\(role.rawValue)", roles: [role])
                    callers.append((role.rawValue, try await harness.login(client, username: "fuzz-\(role.rawValue)", password: password)))
                }
                // Signing out and changing a password would end the session the other calls
                // use: those two get a session of their own, made afresh for each call.
                let victimPassword = try await harness.createUser(client, adminToken: corps.adminToken, username: "fuzz-victim", roles: [.officer])
                // Signs in at the end, to show the server still does; no generated value names it.
                let witnessPassword = try await harness.createUser(client, adminToken: corps.adminToken, username: "fuzz-witness", roles: [.auditor])
                let known = [
                    GatewayHarness.agencyCode, "admin", "li", "wang", "zhang", "zhao", corps.liOfficerID, corps.wangOfficerID,
                    corps.liCredential.credentialID, corps.liCredential.number, corps.wangApplication.credentialID,
                ]
                let generator = WireMessageGenerator(descriptors: descriptors, known: known)
                let before = try await Self.auditRowsByMethod(harness)

                var random = SeededGenerator(seed: seed)
                var outcomes: [Outcome] = []
                for _ in 0..<calls {
                    let method = methods.randomElement(using: &random)!
                    var (caller, token) = callers.randomElement(using: &random)!
                    if method.descriptor.method == "Logout" || method.descriptor.method == "ChangePassword", token != nil {
                        caller = "victim"
                        token = try await harness.login(client, username: "fuzz-victim", password: victimPassword)
                    }
                    var metadata: Metadata = [:]
                    if let token { metadata.addString("Bearer \(token)", forKey: "authorization") }
                    if Int.random(in: 0..<10, using: &random) == 0 {
                        metadata.addString(
                            ["k1", "k2", "", String(repeating: "k", count: 300), "a b"].randomElement(using: &random)!, forKey: "idempotency-key")
                    }
                    let messages = (0..<(method.clientStreaming ? Int.random(in: 0...3, using: &random) : 1)).map { _ in
                        generator.request(method.input, random: &random)
                    }
                    outcomes.append(await Self.call(client, method, messages: messages, metadata: metadata, caller: caller))
                }

                let failures = outcomes.filter { $0.code == .internalError || $0.code == .unknown }
                for failure in failures.prefix(20) {
                    Issue.record(
                        "\(failure.method) as \(failure.caller) answered \(String(describing: failure.code)): \(failure.message) (seed \(seed))")
                }
                #expect(failures.isEmpty, "\(failures.count) of \(calls) calls answered INTERNAL or UNKNOWN (seed \(seed))")

                // Every call but the health checks left its row, and the server still serves.
                let audited = outcomes.filter { !$0.method.hasPrefix("grpc.health") }
                let victimLogins = outcomes.filter { $0.caller == "victim" }.count
                let after = try await Self.auditRowsByMethod(harness)
                let written = after.merging(before.mapValues { -$0 }, uniquingKeysWith: +)
                let rows = written.values.reduce(0, +)
                #expect(
                    rows == audited.count + victimLogins,
                    "\(rows) audit rows for \(audited.count) audited calls and \(victimLogins) sign-ins of the victim (seed \(seed))")
                var expected = Dictionary(grouping: audited, by: \.method).mapValues(\.count)
                expected["fazhi.v1.AuthService/Login", default: 0] += victimLogins
                for method in Set(written.keys).union(expected.keys).sorted() where written[method] ?? 0 != expected[method] ?? 0 {
                    Issue.record("\(method): \(written[method] ?? 0) audit rows for \(expected[method] ?? 0) calls (seed \(seed))")
                }
                let health = try await Grpc_Health_V1_Health.Client(wrapping: client).check(.init())
                #expect(health.status == .serving)
                let witness = try await harness.login(client, username: "fuzz-witness", password: witnessPassword)
                let whoAmI = try await Fazhi_V1_AuthService.Client(wrapping: client).whoAmI(.init(), metadata: bearer(witness))
                #expect(whoAmI.caller.username == "fuzz-witness")
                let codes = Dictionary(grouping: outcomes, by: { $0.code.map { "\($0)" } ?? "ok" }).mapValues(\.count)
                print("fuzz: \(calls) calls, seed \(seed), \(methods.count) methods: \(codes.sorted { $0.key < $1.key })")
            }
        }
    }

    /// One call of any kind, as raw bytes: a stream of `messages` out, every response read.
    static func call(
        _ client: GRPCClient<HTTP2ClientTransport.Posix>, _ method: Method, messages: [[UInt8]], metadata: Metadata,
        caller: String
    ) async -> Outcome {
        var options = CallOptions.defaults
        options.timeout = .seconds(60)
        let request = StreamingClientRequest<[UInt8]>(metadata: metadata) { writer in
            for message in messages { try await writer.write(message) }
        }
        do {
            try await client.bidirectionalStreaming(
                request: request, descriptor: method.descriptor, serializer: RawBytes(),
                deserializer: RawBytes(), options: options
            ) { response in
                for try await _ in response.messages {}
            }
            return Outcome(method: "\(method.descriptor)", caller: caller, code: nil, message: "")
        } catch let error as RPCError {
            return Outcome(method: "\(method.descriptor)", caller: caller, code: error.code, message: error.message)
        } catch {
            return Outcome(method: "\(method.descriptor)", caller: caller, code: .unknown, message: "\(error)")
        }
    }

    /// Every audit row's method, of every agency (each read under its own row-level
    /// security) and of the platform log, counted.
    static func auditRowsByMethod(_ harness: GatewayHarness) async throws -> [String: Int] {
        let owner = try await harness.database.ownerConnection()
        defer { owner.close() }
        var methods: [String] = try await owner.query("SELECT method FROM platform_audit_log").map { try $0.decode(at: 0) }
        let agencies: [UUID] = try await owner.query("SELECT id FROM agencies").map { try $0.decode(at: 0) }
        for agency in agencies {
            methods += try await owner.transaction(TransactionOptions(agencyID: agency)) { connection in
                try await connection.query("SELECT method FROM agency_audit_log").map { try $0.decode(at: 0) }
            }
        }
        return Dictionary(grouping: methods, by: { $0 }).mapValues(\.count)
    }
}

/// Messages as the bytes they are.
struct RawBytes: MessageSerializer, MessageDeserializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}
