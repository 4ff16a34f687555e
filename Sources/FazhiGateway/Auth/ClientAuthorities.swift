import Crypto
import Foundation
import SwiftASN1
import X509

/// Each agency's client CAs as the files `tls.client_authorities` and
/// `tls.client_authority_keys` name them. An agency's CA file may hold several
/// certificates: while its CA is rotated it holds the old and the new, and certificates
/// from either are accepted. The CA that signs new client certificates is the one whose
/// certificate in that file matches the configured key.
struct ClientAuthorities: Sendable {
    /// Every CA certificate of each agency, by agency code.
    let trusted: [String: [Certificate]]
    /// The CA each agency signs client certificates with, where this server holds its key.
    let signers: [String: CertificateAuthority]

    /// Reads the files; throws naming the file that does not load.
    static func load(certificatePaths: [String: String], keyPaths: [String: String]) throws -> ClientAuthorities {
        var trusted: [String: [Certificate]] = [:]
        for (agency, path) in certificatePaths {
            let certificates: [Certificate]
            do {
                certificates = try PEMDocument.parseMultiple(pemString: String(contentsOfFile: path, encoding: .utf8))
                    .filter { $0.discriminator == "CERTIFICATE" }.map { try Certificate(pemDocument: $0) }
            } catch {
                throw GatewayConfigurationError("cannot read the CA certificates of \(agency) (\(path)): \(error)")
            }
            guard !certificates.isEmpty else { throw GatewayConfigurationError("\(path), the CA file of \(agency), holds no certificate") }
            trusted[agency] = certificates
        }
        var signers: [String: CertificateAuthority] = [:]
        for (agency, keyPath) in keyPaths {
            guard let certificates = trusted[agency] else {
                throw GatewayConfigurationError("the CA key of \(agency) is configured without its certificate (clientAuthorityPaths)")
            }
            let key: P256.Signing.PrivateKey
            do {
                key = try P256.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: keyPath, encoding: .utf8))
            } catch {
                throw GatewayConfigurationError("cannot read the CA key of \(agency) (\(keyPath)): \(error)")
            }
            guard let certificate = certificates.last(where: { $0.publicKey == Certificate.PublicKey(key.publicKey) }) else {
                throw GatewayConfigurationError("no certificate in the CA file of \(agency) matches its key \(keyPath)")
            }
            signers[agency] = CertificateAuthority(certificate: certificate, key: key)
        }
        return ClientAuthorities(trusted: trusted, signers: signers)
    }

    /// True when one of the agency's own CAs signed `leaf` (the handshake only proved that
    /// some agency's CA did).
    func issued(_ leaf: Certificate, agency: String) -> Bool {
        (trusted[agency] ?? []).contains { authority in
            leaf.issuer == authority.subject && authority.publicKey.isValidSignature(leaf.signature, for: leaf)
        }
    }
}
