import ArgumentParser
import FazhiRPC
import FazhiRules
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf

/// Where the client verbs connect: flags, then FAZHI_ADDRESS / FAZHI_CA_FILE, then the
/// `.fazhi/dev.json` that `fazhi dev` writes.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "The server's gRPC address, host:port.") var address: String?
    @Option(name: .long, help: "The CA certificate (PEM) that signed the server's certificate.") var ca: String?
    @Flag(name: .long, help: "Print JSON for scripts instead of tables.") var json = false

    func resolved() throws -> (host: String, port: Int, ca: String?) {
        let environment = ProcessInfo.processInfo.environment
        let dev = DevInfo.read()
        guard let address = address ?? environment["FAZHI_ADDRESS"] ?? dev?.grpcAddress else {
            throw CommandFailure("没有服务器地址 / no server: pass --address, set FAZHI_ADDRESS, or run `fazhi dev`")
        }
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            throw CommandFailure("地址须为 host:port / the address must be host:port, got \(address)")
        }
        return (String(address[..<colon]), port, ca ?? environment["FAZHI_CA_FILE"] ?? dev?.caFile)
    }

    /// The agency a public verb asks about when none is named: the signed-in session's,
    /// else the one of `.fazhi/dev.json`.
    func defaultAgencyCode() throws -> String {
        if let session = try? SavedSession.read() { return session.agencyCode }
        if let dev = DevInfo.read() { return dev.agencyCode }
        throw CommandFailure("请用 --agency 指定机构代码 / name the agency with --agency")
    }

    /// `serverName`, when given, is the name checked against the server's certificate
    /// instead of the address's host.
    func withClient<T: Sendable>(
        serverName: String? = nil, _ body: @Sendable (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> T
    ) async throws -> T {
        let (host, port, ca) = try resolved()
        // An IP address is not a valid TLS server name (SNI): connect to it as an address.
        let octets = host.split(separator: ".")
        let isIPv4 = octets.count == 4 && octets.allSatisfy { UInt8($0) != nil }
        let transport = try HTTP2ClientTransport.Posix(
            target: isIPv4 ? .ipv4(address: host, port: port) : .dns(host: host, port: port),
            transportSecurity: .tls { tls in
                if let ca { tls.trustRoots = .certificates([.file(path: ca, format: .pem)]) }
            },
            // The authority is also the TLS server name the certificate is checked against.
            config: .defaults { config in
                if let serverName { config.http2.authority = serverName }
            })
        do {
            return try await withGRPCClient(transport: transport) { client in try await body(client) }
        } catch let error as RPCError {
            throw ClientFailure(error)
        }
    }
}

/// The signed-in session, kept in the user's config directory with mode 0600.
struct SavedSession: Codable {
    var address: String
    var agencyCode: String
    var username: String
    var token: String
    var expiresAt: Date

    static var file: URL { file(environment: ProcessInfo.processInfo.environment) }

    /// `$XDG_CONFIG_HOME/fazhi/session.json` when that is an absolute path (as the XDG
    /// base directory rules say), else `$HOME/.config/fazhi/session.json`; the account's
    /// home from the password database only when `HOME` is unset. Two people sharing one
    /// account keep their sign-ins apart by setting either variable.
    static func file(environment: [String: String]) -> URL {
        let base: URL
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            base = URL(fileURLWithPath: xdg)
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            base = URL(fileURLWithPath: home).appendingPathComponent(".config")
        }
        return base.appendingPathComponent("fazhi").appendingPathComponent("session.json")
    }

    static func read() throws -> SavedSession {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw CommandFailure("未登录 / not signed in: run `fazhi login`")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(SavedSession.self, from: data)
    }

    func write() throws {
        try FileManager.default.createDirectory(
            at: Self.file.deletingLastPathComponent(), withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let temporary = Self.file.path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: try encoder.encode(self), attributes: [.posixPermissions: 0o600]),
            rename(temporary, Self.file.path) == 0
        else {
            throw CommandFailure("cannot write \(Self.file.path): \(String(cString: strerror(errno)))")
        }
    }

    static func remove() { try? FileManager.default.removeItem(at: file) }

    var metadata: Metadata { ["authorization": "Bearer \(token)"] }

    /// Metadata for a mutating call: the token and a fresh idempotency key, so a retry
    /// of the same invocation cannot apply twice.
    func mutating(key: String = UUID().uuidString.lowercased()) -> Metadata {
        var metadata = self.metadata
        metadata.addString(key, forKey: "idempotency-key")
        return metadata
    }
}

/// An RPC error as a person reads it: the Chinese and English messages and the reason.
struct ClientFailure: Error, CustomStringConvertible {
    let error: RPCError

    init(_ error: RPCError) { self.error = error }

    var description: String {
        guard let status = try? error.unpackGoogleRPCStatus() else { return "\(error.code): \(error.message)" }
        var reason = ""
        var messages: [String: String] = [:]
        for detail in status.details {
            if let info = detail.errorInfo {
                reason = ([info.reason] + info.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
            }
            if let message = detail.localizedMessage { messages[message.locale] = message.message }
        }
        return "\(messages["zh-CN"] ?? "") / \(messages["en"] ?? error.message) [\(reason)]"
    }
}

/// Prints rows as an aligned table (people) or JSON (scripts).
func printTable(_ headers: [String], _ rows: [[String]], json: Bool) throws {
    if json {
        let objects = rows.map { Dictionary(uniqueKeysWithValues: zip(headers, $0)) }
        let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
        return
    }
    func width(_ text: String) -> Int { text.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 ? 2 : 1) } }
    let widths = headers.indices.map { column in ([headers[column]] + rows.map { $0[column] }).map(width).max() ?? 0 }
    func line(_ cells: [String]) -> String {
        zip(cells, widths).map { $0 + String(repeating: " ", count: $1 - width($0)) }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    print(line(headers))
    for row in rows { print(line(row)) }
}
