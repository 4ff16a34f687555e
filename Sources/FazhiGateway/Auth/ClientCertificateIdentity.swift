import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import X509

/// On the mutual-TLS port a verified client certificate is the caller's identity. The
/// handshake has already checked the chain against every agency's CA; here the SAN URI
/// names the caller: `urn:fazhi:<agency code>:user:<username>` a user, or
/// `urn:fazhi:<agency code>:credential:<number>` the holder of an enforcement credential,
/// asked afresh on every call whether it is still in force. The chain must end in the CA
/// of that very agency, so one agency's CA cannot speak for another's users.
struct ClientCertificateIdentity: Sendable {
    /// Each agency's CA certificates, following their files (an agency's CA rotated).
    let authorities: ReloadingFiles<ClientAuthorities>
    let identity: IdentityWork

    func caller(context: ServerContext, call: CallAudit, now: Date) async throws -> Caller {
        guard let transport = context.transportSpecific as? HTTP2ServerTransport.Posix.Context,
            let leaf = transport.peerCertificate
        else {
            throw DomainError.certificateRefused(.missing)
        }
        guard let (agencyCode, subject) = Self.subject(of: leaf) else {
            throw DomainError.certificateRefused(.notOneSubject)
        }
        // Agency CAs issue client certificates directly, so the leaf must be signed by one of
        // the named agency's own CAs (the handshake only proved it was signed by some agency's).
        guard authorities.current.issued(leaf, agency: agencyCode) else {
            throw DomainError.certificateRefused(.notIssuedByItsAgency)
        }
        switch subject {
        case .user(let username):
            return try await identity.certificateCaller(agencyCode: agencyCode, username: username, call: call, now: now)
        case .credential(let number):
            return try await identity.credentialCaller(agencyCode: agencyCode, credentialNumber: number, call: call, now: now)
        }
    }

    enum Subject: Equatable {
        case user(String)
        case credential(String)
    }

    /// The agency and the user or credential a certificate's SAN URI names. A certificate
    /// carrying more than one URI names no one: which of them speaks would be a guess.
    static func subject(of certificate: Certificate) -> (agency: String, subject: Subject)? {
        guard let names = try? certificate.extensions.subjectAlternativeNames else { return nil }
        let uris = names.compactMap { name -> String? in
            guard case .uniformResourceIdentifier(let uri) = name else { return nil }
            return uri
        }
        guard uris.count == 1 else { return nil }
        let parts = uris[0].split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "urn", parts[1] == "fazhi", AgencyCodeRule.isValid(String(parts[2])), !parts[4].isEmpty else {
            return nil
        }
        switch parts[3] {
        case "user": return (String(parts[2]), .user(String(parts[4])))
        case "credential": return (String(parts[2]), .credential(String(parts[4])))
        default: return nil
        }
    }

    static func uri(agency: String, username: String) -> String { "urn:fazhi:\(agency):user:\(username)" }

}
