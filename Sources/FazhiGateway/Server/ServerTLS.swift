import NIOCore
import NIOSSL

/// The one TLS policy of every port Fazhi serves (gRPC, mutual TLS, the portal): TLS 1.2
/// or 1.3, and under TLS 1.2 only ECDHE key exchange with AEAD ciphers, so no CBC suite
/// and no SHA-1 MAC is ever negotiated. (TLS 1.3 defines only AEAD suites.)
enum ServerTLS {
    static let tls12CipherSuites: [NIOTLSCipher] = [
        .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, .TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]

    /// A server configuration under this policy; `clientRoots`, when given, makes the port
    /// ask for and verify a client certificate issued by one of them.
    static func configuration(
        certificateChainPath: String, privateKeyPath: String, clientRoots: [String]? = nil,
        applicationProtocols: [String]
    ) throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMFile(certificateChainPath).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: privateKeyPath, format: .pem)
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        tls.cipherSuiteValues = tls12CipherSuites
        tls.applicationProtocols = applicationProtocols
        if let clientRoots {
            tls.trustRoots = .certificates(try clientRoots.flatMap { try NIOSSLCertificate.fromPEMFile($0) })
            tls.certificateVerification = .noHostnameVerification
        }
        return tls
    }

    /// The gRPC transport has no setting for cipher suites, so the gateway's ports are
    /// opened as plain HTTP/2 and each accepted connection gets this TLS handler in front,
    /// through the transport's per-connection hook (`onAcceptTCPConnection`). The hook runs
    /// in the connection's initializer, before the first byte is read; the transport still
    /// reads the peer's certificate from the handler for each call.
    /// Behind the TLS handler sits the port's `ConnectionGuard` (limits, handshake timeout).
    static func grpcConnectionHook(_ tls: ReloadingTLSContext, count: ConnectionCount) -> @Sendable (any Channel) -> EventLoopFuture<Void> {
        { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandlers(
                    [NIOSSLServerHandler(context: tls.current), ConnectionGuard(count: count)], position: .first)
            }
        }
    }
}
