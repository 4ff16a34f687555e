import Foundation

/// `.fazhi/` at the checkout's root (the nearest directory above with a Package.swift), or
/// in the working directory outside a checkout: where `fazhi dev` leaves what later
/// commands in the same checkout need (the server's address and CA, the sign-in session).
public enum StateDirectory {
    public static var url: URL {
        var directory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL
        while true {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory.appendingPathComponent(".fazhi")
            }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".fazhi")
    }
}

/// A command's failure, said in a sentence (Chinese first) and exit status 1.
public struct CommandFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What `fazhi dev` writes to `.fazhi/dev.json` for clients (mode 0600: it holds a password).
public struct DevInfo: Codable, Sendable {
    public var grpcAddress: String
    public var mtlsAddress: String?
    public var caFile: String
    public var agencyCode: String
    public var username: String
    public var password: String
    public var agencyClientCA: String
    public var agencyClientCAKey: String
    /// The password of every account `fazhi demo` made (officers zf01…, staff).
    public var demoPassword: String?
    public var portalURL: String?

    enum CodingKeys: String, CodingKey {
        case grpcAddress = "grpc_address"
        case mtlsAddress = "mtls_address"
        case caFile = "ca_file"
        case agencyCode = "agency_code"
        case username, password
        case agencyClientCA = "agency_client_ca"
        case agencyClientCAKey = "agency_client_ca_key"
        case demoPassword = "demo_password"
        case portalURL = "portal_url"
    }

    public init(
        grpcAddress: String, mtlsAddress: String?, caFile: String, agencyCode: String, username: String, password: String,
        agencyClientCA: String, agencyClientCAKey: String, demoPassword: String?, portalURL: String?
    ) {
        self.grpcAddress = grpcAddress
        self.mtlsAddress = mtlsAddress
        self.caFile = caFile
        self.agencyCode = agencyCode
        self.username = username
        self.password = password
        self.agencyClientCA = agencyClientCA
        self.agencyClientCAKey = agencyClientCAKey
        self.demoPassword = demoPassword
        self.portalURL = portalURL
    }

    public static var file: URL { StateDirectory.url.appendingPathComponent("dev.json") }

    public static func read() -> DevInfo? {
        FileManager.default.contents(atPath: file.path).flatMap { try? JSONDecoder().decode(DevInfo.self, from: $0) }
    }

    public func write() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(self)
        // Created 0600 under a temporary name, then renamed: never readable by others, never half-written.
        let temporary = Self.file.path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]),
            rename(temporary, Self.file.path) == 0
        else {
            throw CommandFailure("cannot write \(Self.file.path): \(String(cString: strerror(errno)))")
        }
    }

    /// 20 random characters with every kind the password rules count.
    public static func randomPassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        let body = String((0..<16).map { _ in alphabet.randomElement(using: &generator)! })
        return "Fz-\(body)7a"
    }
}
