import Crypto
import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import SwiftASN1
import X509

/// A small certificate authority: the development CA of `fazhi dev` (which signs the
/// server's certificate), each agency's client CA, and the certificates they issue.
/// Keys are P-256.
public struct CertificateAuthority: Sendable {
    public let certificate: Certificate
    public let key: P256.Signing.PrivateKey

    public init(certificate: Certificate, key: P256.Signing.PrivateKey) {
        self.certificate = certificate
        self.key = key
    }

    /// A new self-signed CA valid for `years`.
    public static func create(commonName: String, organization: String, now: Date, years: Int = 10) throws -> CertificateAuthority {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            OrganizationName(organization)
            CommonName(commonName)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(Double(years) * 365 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: .init(key.publicKey))
            },
            issuerPrivateKey: .init(key))
        return CertificateAuthority(certificate: certificate, key: key)
    }

    /// A TLS server certificate for these DNS names and IP addresses.
    public func issueServerCertificate(
        dnsNames: [String], ipAddresses: [String], now: Date, days: Int = 825
    ) throws -> (Certificate, P256.Signing.PrivateKey) {
        let key = P256.Signing.PrivateKey()
        var names: [GeneralName] = dnsNames.map { .dnsName($0) }
        for address in ipAddresses {
            names.append(.ipAddress(ASN1OctetString(contentBytes: try Self.ipv4Bytes(address)[...])))
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: now.addingTimeInterval(Double(days) * 86_400),
            issuer: certificate.subject,
            subject: try DistinguishedName { CommonName(dnsNames.first ?? ipAddresses.first ?? "fazhi") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                authorityKeyIdentifier
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: .init(self.key))
        return (certificate, key)
    }

    /// A client certificate naming a URI (e.g. `urn:fazhi:<agency>:user:<username>`), with
    /// a new key.
    public func issueClientCertificate(
        uri: String, commonName: String, now: Date, lifetime: TimeInterval
    ) throws -> (Certificate, P256.Signing.PrivateKey) {
        let key = P256.Signing.PrivateKey()
        return (
            try clientCertificate(
                for: .init(key.publicKey), uris: [uri], commonName: commonName, now: now, notAfter: now.addingTimeInterval(lifetime)), key
        )
    }

    /// A client certificate for the key in `request` (whose signature must prove
    /// possession of it), naming `uri`. The request's subject is not trusted: the name
    /// comes from the caller's records.
    public func issueClientCertificate(
        for request: CertificateSigningRequest, uri: String, commonName: String,
        now: Date, notAfter: Date
    ) throws -> Certificate {
        guard request.publicKey.isValidSignature(request.signature, for: request) else {
            throw DomainError.csrSignatureInvalid
        }
        return try clientCertificate(for: request.publicKey, uris: [uri], commonName: commonName, now: now, notAfter: notAfter)
    }

    /// Internal, not private: the tests make a certificate naming several URIs, which the
    /// gateway must refuse.
    func clientCertificate(for publicKey: Certificate.PublicKey, uris: [String], commonName: String, now: Date, notAfter: Date) throws -> Certificate
    {
        try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-300), notValidAfter: notAfter,
            issuer: certificate.subject,
            subject: try DistinguishedName { CommonName(commonName) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.clientAuth])
                authorityKeyIdentifier
                SubjectAlternativeNames(uris.map { .uniformResourceIdentifier($0) })
            },
            issuerPrivateKey: .init(key))
    }

    /// Names this CA's key in what it issues, so a verifier holding an old and a renewed CA
    /// of the same name (an agency's CA being rotated) picks the one that signed.
    private var authorityKeyIdentifier: AuthorityKeyIdentifier {
        AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: certificate.publicKey).keyIdentifier)
    }

    /// Writes the CA's certificate and key as PEM files (the key with mode 0600).
    public func write(certificatePath: String, keyPath: String) throws {
        try Self.writePEM(certificate: certificate, key: key, certificatePath: certificatePath, keyPath: keyPath)
    }

    public static func load(certificatePath: String, keyPath: String) throws -> CertificateAuthority {
        CertificateAuthority(
            certificate: try Certificate(pemEncoded: String(contentsOfFile: certificatePath, encoding: .utf8)),
            key: try P256.Signing.PrivateKey(pemRepresentation: String(contentsOfFile: keyPath, encoding: .utf8)))
    }

    public static func writePEM(certificate: Certificate, key: P256.Signing.PrivateKey, certificatePath: String, keyPath: String) throws {
        try certificate.serializeAsPEM().pemString.write(toFile: certificatePath, atomically: true, encoding: .utf8)
        // Created 0600: a private key is never readable by others, not even for a moment.
        try? FileManager.default.removeItem(atPath: keyPath)
        guard FileManager.default.createFile(atPath: keyPath, contents: Data(key.pemRepresentation.utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw GatewayConfigurationError("cannot write the private key \(keyPath)")
        }
    }

    private static func ipv4Bytes(_ address: String) throws -> [UInt8] {
        let parts = address.split(separator: ".").compactMap { UInt8($0) }
        guard parts.count == 4 else { throw GatewayConfigurationError("not an IPv4 address: \(address)") }
        return parts
    }
}
