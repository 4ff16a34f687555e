import Foundation

/// A development PKI in one directory (`fazhi dev` uses `.fazhi/tls/`; tests a temporary
/// one): a CA, a server certificate it signs for `localhost` and `127.0.0.1`, and a client
/// CA for one agency. Made once, then reused. Never for production.
public struct DevelopmentTLS: Sendable {
    public var caCertificate: String
    public var serverCertificate: String
    public var serverKey: String
    public var agencyCA: String
    public var agencyCAKey: String

    public static func ensure(in directory: URL, agencyCode: String) throws -> DevelopmentTLS {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let files = DevelopmentTLS(
            caCertificate: path("ca.pem"), serverCertificate: path("server.pem"), serverKey: path("server-key.pem"),
            agencyCA: path("agency-\(agencyCode)-ca.pem"), agencyCAKey: path("agency-\(agencyCode)-ca-key.pem"))
        let manager = FileManager.default
        let now = Date()
        if !manager.fileExists(atPath: files.caCertificate) || !manager.fileExists(atPath: files.serverKey) {
            let root = try CertificateAuthority.create(commonName: "Fazhi development CA", organization: "Fazhi (development)", now: now)
            try root.write(certificatePath: files.caCertificate, keyPath: path("ca-key.pem"))
            let (server, key) = try root.issueServerCertificate(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], now: now)
            try CertificateAuthority.writePEM(certificate: server, key: key, certificatePath: files.serverCertificate, keyPath: files.serverKey)
        }
        if !manager.fileExists(atPath: files.agencyCA) {
            let agency = try CertificateAuthority.create(commonName: "\(agencyCode) client CA (development)", organization: agencyCode, now: now)
            try agency.write(certificatePath: files.agencyCA, keyPath: files.agencyCAKey)
        }
        return files
    }
}
