import Crypto
import FazhiGateway
import FazhiRPC
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing
import X509

@Suite(.timeLimit(.minutes(3))) struct CredentialCertificateTests {
    /// A CSR for a new key, as `fazhi credential certificate` makes one.
    static func request() throws -> (csr: String, key: P256.Signing.PrivateKey) {
        let key = P256.Signing.PrivateKey()
        let csr = try CertificateSigningRequest(
            version: .v1, subject: try DistinguishedName { CommonName("whoever I claim to be") }, privateKey: .init(key),
            attributes: CertificateSigningRequest.Attributes(), signatureAlgorithm: .ecdsaWithSHA256)
        return (try csr.serializeAsPEM().pemString, key)
    }

    @Test func aRevokedCredentialsCertificateIsRefusedOnTheNextCallOnAnOpenConnection() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let corps = try await CorpsFixture.make(harness, client)
                let service = Fazhi_V1_CredentialService.Client(wrapping: client)
                let (csr, key) = try Self.request()
                let issued = try await service.issueClientCertificate(
                    .with {
                        $0.credentialID = corps.liCredential.credentialID
                        $0.csrPem = csr
                    },
                    metadata: bearer(corps.liToken))
                let certificate = try Certificate(pemEncoded: issued.certificatePem)
                #expect(
                    try certificate.extensions.subjectAlternativeNames?.contains(
                        .uniformResourceIdentifier("urn:fazhi:\(GatewayHarness.agencyCode):credential:\(corps.liCredential.number)")) == true)
                #expect(certificate.notValidAfter <= harness.clock.now.addingTimeInterval(30 * 86_400 + 1), "short-lived: the agency's 30 days")
                #expect(!certificate.subject.description.contains("whoever"), "the name comes from the records, not the CSR")

                try await harness.withCertificateClient(certificatePEM: issued.certificatePem, key: key) { officerClient in
                    let auth = Fazhi_V1_AuthService.Client(wrapping: officerClient)
                    let me = try await auth.whoAmI(.init()).caller
                    #expect(me.username == "li" && me.roles == ["officer"])
                    let own = try await Fazhi_V1_CredentialService.Client(wrapping: officerClient).getOfficer(.init())
                    #expect(own.officerID == corps.liOfficerID)

                    _ = try await service.revokeCredential(
                        .with {
                            $0.credentialID = corps.liCredential.credentialID
                            $0.reason = "调离执法岗位"
                        },
                        metadata: bearer(corps.credentialAdminToken))
                    // The same client, the same HTTP/2 connection: the very next call is refused.
                    let refused = await #expect(throws: RPCError.self) { _ = try await auth.whoAmI(.init()) }
                    #expect(refused?.code == .unauthenticated && refused?.reason == "CREDENTIAL_NOT_IN_FORCE")
                }
                // A revoked credential gets no new certificate either.
                let again = await #expect(throws: RPCError.self) {
                    _ = try await service.issueClientCertificate(
                        .with {
                            $0.credentialID = corps.liCredential.credentialID
                            $0.csrPem = csr
                        },
                        metadata: bearer(corps.credentialAdminToken))
                }
                #expect(again?.code == .failedPrecondition)
            }
        }
    }

    @Test func suspensionAndExpiryRefuseTheCertificateTooAndReinstatementRestoresIt() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let corps = try await CorpsFixture.make(harness, client)
                let service = Fazhi_V1_CredentialService.Client(wrapping: client)
                let asAdmin = bearer(corps.credentialAdminToken)
                let (csr, key) = try Self.request()
                let issued = try await service.issueClientCertificate(
                    .with {
                        $0.credentialID = corps.liCredential.credentialID
                        $0.csrPem = csr
                    }, metadata: asAdmin)
                // A bad CSR is named.
                let bad = await #expect(throws: RPCError.self) {
                    _ = try await service.issueClientCertificate(
                        .with {
                            $0.credentialID = corps.liCredential.credentialID
                            $0.csrPem = "not a csr"
                        }, metadata: asAdmin)
                }
                #expect(bad?.code == .invalidArgument)
                let decision = Fazhi_V1_CredentialDecisionRequest.with {
                    $0.credentialID = corps.liCredential.credentialID
                    $0.reason = "调查"
                }
                try await harness.withCertificateClient(certificatePEM: issued.certificatePem, key: key) { officerClient in
                    let auth = Fazhi_V1_AuthService.Client(wrapping: officerClient)
                    _ = try await auth.whoAmI(.init())
                    _ = try await service.suspendCredential(decision, metadata: asAdmin)
                    await #expect(throws: RPCError.self) { _ = try await auth.whoAmI(.init()) }
                    _ = try await service.reinstateCredential(decision, metadata: asAdmin)
                    #expect(try await auth.whoAmI(.init()).caller.username == "li")

                    // Time travel past the term (and past every review deadline): refused.
                    harness.clock.advance(by: 6 * 366 * 86_400)
                    let expired = await #expect(throws: RPCError.self) { _ = try await auth.whoAmI(.init()) }
                    #expect(expired?.reason == "CREDENTIAL_NOT_IN_FORCE")
                }
            }
        }
    }

    @Test func anOfficerGetsACertificateOnlyForTheirOwnCredential() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let corps = try await CorpsFixture.make(harness, client)
                let (csr, _) = try Self.request()
                let error = await #expect(throws: RPCError.self) {
                    _ = try await Fazhi_V1_CredentialService.Client(wrapping: client).issueClientCertificate(
                        .with {
                            $0.credentialID = corps.liCredential.credentialID
                            $0.csrPem = csr
                        }, metadata: bearer(corps.wangToken))
                }
                #expect(error?.code == .permissionDenied)
            }
        }
    }
}
