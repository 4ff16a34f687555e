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

@Suite(.timeLimit(.minutes(3))) struct VerificationTests {
    @Test func anyoneVerifiesACredentialByNumberWithoutSigningIn() async throws {
        try await GatewayHarness.with { harness in
            let agency = try #require(try await harness.store.agency(code: GatewayHarness.agencyCode))
            let keys = PersonalDataKeys(sealing: SymmetricKey(size: .bits256), indexing: SymmetricKey(size: .bits256))
            let now = Moment(instant: Date())
            let body = "41120219900101123"
            let idNumber = try ResidentIDNumber(body + String(ResidentIDNumber.checkCharacter(for: body.map { Int(String($0))! })))
            let id = try await harness.store.transaction(agency: agency.id, .write(for: nil)) { tx in
                let officer = try await tx.credentials.insertOfficer(
                    NewOfficer(name: "张三", unit: "养老服务科", position: "科员", userID: nil, idNumber: idNumber, keys: keys), at: Date())
                let credential = try Credential.apply(
                    id: UUID(), officerID: officer, categories: ["养老服务"], areas: [try DivisionCode("411202")],
                    exam: .init(day: now.day.adding(days: -10), score: 88), by: "证件管理员", reason: "申领", at: now,
                    rules: try CredentialRules(settings: try await tx.settings()))
                try await tx.credentials.insertCredential(credential)
                return credential.id
            }
            let issued = try await CredentialWork(store: harness.store).issue(id, agency: agency, actor: "负责人", reason: "批准", at: now)
            try await harness.withClient { client in
                let verification = Fazhi_V1_VerificationService.Client(wrapping: client)
                let answer = try await verification.verifyCredential(.with { $0.number = issued.number! })
                #expect(answer.found && answer.card.holderName == "张三" && answer.card.agencyName == "湖滨区民政局")
                #expect(answer.card.state == "active" && answer.card.inForce && answer.card.categories == ["养老服务"])
                #expect(answer.card.validUntil == issued.validUntil!.description)
                let text = answer.textFormatString()
                #expect(!text.contains(idNumber.value) && !text.contains(idNumber.masked), "no personal identifier")
                let unknown = try await verification.verifyCredential(.with { $0.number = "411202-MZ-2026-99999" })
                #expect(!unknown.found && unknown.card == Fazhi_V1_CredentialCard())
                let empty = await #expect(throws: RPCError.self) { _ = try await verification.verifyCredential(.init()) }
                #expect(empty?.reason == "INVALID_ARGUMENT")
            }
        }
    }

    @Test func aPrintedCodeVerifiesOnlineAndOfflineAndAForgedOrAlteredOneIsNotValid() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let corps = try await CorpsFixture.make(harness, client)
                let credentials = Fazhi_V1_CredentialService.Client(wrapping: client)
                let code = try await credentials.getVerificationCode(
                    .with { $0.credentialID = corps.liCredential.credentialID }, metadata: bearer(corps.liToken)
                ).code

                // Online, without signing in.
                let verification = Fazhi_V1_VerificationService.Client(wrapping: client)
                let answer = try await verification.verifyCredentialCode(.with { $0.code = code })
                #expect(answer.found && answer.card.number == corps.liCredential.number && answer.card.holderName == "李明" && answer.card.inForce)
                #expect(!answer.textFormatString().contains(CorpsFixture.liIDNumber) && !answer.textFormatString().contains("4112**"))

                // Offline, with the published key.
                let published = try await verification.getVerificationKey(.with { $0.agencyCode = GatewayHarness.agencyCode })
                let key = try Curve25519.Signing.PublicKey(rawRepresentation: published.publicKey)
                #expect(published.publicKeyPem.hasPrefix("-----BEGIN PUBLIC KEY-----"))
                let offline = VerificationCode.verify(code, publicKeys: { $0 == GatewayHarness.agencyCode ? key : nil })
                #expect(offline?.credentialNumber == corps.liCredential.number)

                // Forged (another key), altered (one character of the payload), garbage.
                let forged = try VerificationCode(
                    agencyCode: GatewayHarness.agencyCode, credentialNumber: corps.liCredential.number,
                    validUntil: try CalendarDay(iso: corps.liCredential.validUntil)
                ).signed(with: Curve25519.Signing.PrivateKey())
                var altered = Array(code)
                let position = 5
                altered[position] = altered[position] == "A" ? "B" : "A"
                for bad in [forged, String(altered), "v1.x.y", String(code.dropLast()), "v2" + code.dropFirst(2)] {
                    let answer = try await verification.verifyCredentialCode(.with { $0.code = bad })
                    #expect(!answer.found && answer.card == Fazhi_V1_CredentialCard(), "\(bad)")
                    #expect(VerificationCode.verify(bad, publicKeys: { _ in key }) == nil, "\(bad)")
                }

                // A revoked credential's code still verifies as genuine, and says revoked.
                _ = try await credentials.revokeCredential(
                    .with {
                        $0.credentialID = corps.liCredential.credentialID
                        $0.reason = "调离执法岗位"
                    },
                    metadata: bearer(corps.credentialAdminToken))
                let revoked = try await verification.verifyCredentialCode(.with { $0.code = code })
                #expect(revoked.found && revoked.card.state == "revoked" && !revoked.card.inForce)

                let unknownAgency = await #expect(throws: RPCError.self) {
                    _ = try await verification.getVerificationKey(.with { $0.agencyCode = "NO-SUCH" })
                }
                #expect(unknownAgency?.code == .notFound)
            }
        }
    }
}
