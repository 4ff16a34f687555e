import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation

/// Where the gateway listens and with which keys. TLS always: there is no plaintext gRPC.
public struct GatewayConfiguration: Sendable {
    /// Address to bind, e.g. "127.0.0.1" or "0.0.0.0".
    public var host: String
    /// The main port (bearer tokens); 0 picks a free one.
    public var port: Int
    /// The mutual-TLS port (client certificates); nil for none, 0 picks a free one.
    public var mutualTLSPort: Int?
    /// PEM files of the server's certificate chain and private key.
    public var certificateChainPath: String
    public var privateKeyPath: String
    /// Each agency's CA certificate (PEM file), by agency code: the mutual-TLS port trusts
    /// them all, and a certificate speaks only for users of the agency whose CA issued it.
    public var clientAuthorityPaths: [String: String]
    /// Each agency CA's private key (PEM file), by agency code: with it the server signs
    /// client certificates bound to that agency's credentials.
    public var clientAuthorityKeyPaths: [String: String]
    /// The server's secret: seals personal data and agencies' signing keys.
    public var secrets: ServerSecrets
    public var scrypt: ScryptParameters
    /// The largest evidence file accepted, in bytes.
    public var evidenceMaximumBytes: Int
    /// Threads that run TLS and HTTP/2 for the gRPC ports.
    public var ioThreads: Int
    /// How often the database is probed for the health service.
    public var databaseProbeInterval: Duration = .seconds(2)
    /// Exports at once, and how long a stream may wait for its client to read.
    public var streams = StreamLimits()
    /// Connections each port holds at once, overall and per address; handshake and idle timeouts.
    public var connections = ConnectionLimits()
    /// IP addresses of load balancers whose `x-forwarded-for` names the real client.
    public var trustedProxies: Set<String> = []
    /// How often, at most, a port looks at its TLS files for a renewed certificate.
    public var tlsReloadInterval: Duration = .seconds(10)

    /// Half the cores, at least one: the other half runs the calls themselves (on the
    /// PostgreSQL event loops), and on a small machine PostgreSQL shares them too. On 2
    /// cores one I/O thread served 11 % more case steps than two (docs/PERFORMANCE.md).
    public static var defaultIOThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount / 2) }

    public init(
        host: String = "127.0.0.1", port: Int = 7443, mutualTLSPort: Int? = 7444,
        certificateChainPath: String, privateKeyPath: String,
        clientAuthorityPaths: [String: String] = [:], clientAuthorityKeyPaths: [String: String] = [:],
        secrets: ServerSecrets, scrypt: ScryptParameters = .standard, evidenceMaximumBytes: Int = 256 * 1024 * 1024,
        ioThreads: Int = GatewayConfiguration.defaultIOThreads
    ) {
        precondition(ioThreads > 0, "the gateway needs at least one I/O thread")
        self.host = host
        self.port = port
        self.mutualTLSPort = mutualTLSPort
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
        self.clientAuthorityPaths = clientAuthorityPaths
        self.clientAuthorityKeyPaths = clientAuthorityKeyPaths
        self.secrets = secrets
        self.scrypt = scrypt
        self.evidenceMaximumBytes = evidenceMaximumBytes
        self.ioThreads = ioThreads
    }
}
