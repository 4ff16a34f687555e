import FazhiGateway
import FazhiPostgres
import FazhiRPC
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import GRPCCore
import Testing

@Suite(.timeLimit(.minutes(3))) struct PartyServiceTests {
    static let personID = CorpsFixture.idNumber("41120219700202004")

    @Test func officersRecordPartiesAndEveryoneSeesPersonsMasked() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let adminToken = try await harness.login(client)
                let officer = bearer(
                    try await harness.login(
                        client, username: "li",
                        password: try await harness.createUser(client, adminToken: adminToken, username: "li", roles: [.officer])))
                let auditor = bearer(
                    try await harness.login(
                        client, username: "zhao",
                        password: try await harness.createUser(client, adminToken: adminToken, username: "zhao", roles: [.auditor])))
                let service = Fazhi_V1_PartyService.Client(wrapping: client)
                let code = "91350100M000100Y43"

                let home = try await service.createParty(
                    .with {
                        $0.kind = "institution"
                        $0.name = "湖滨区福寿养老院"
                        $0.creditCode = code
                        $0.institutionType = "elderly_care"
                        $0.capacity = 120
                    }, metadata: officer)
                #expect(home.area == "411202" && home.capacity == 120 && home.idNumber.isEmpty)
                let person = try await service.createParty(
                    .with {
                        $0.kind = "person"
                        $0.name = "赵六"
                        $0.idNumber = Self.personID
                        $0.area = "411202"
                    }, metadata: officer)
                #expect(person.idNumber == "4112**********" + Self.personID.suffix(4))

                // The same credit code or person twice is refused; a bad code is named.
                let again = await #expect(throws: RPCError.self) {
                    _ = try await service.createParty(
                        .with {
                            $0.kind = "organization"
                            $0.name = "另一个名字"
                            $0.creditCode = code
                        }, metadata: officer)
                }
                #expect(again?.code == .alreadyExists)
                let twice = await #expect(throws: RPCError.self) {
                    _ = try await service.createParty(
                        .with {
                            $0.kind = "person"
                            $0.name = "赵六"
                            $0.idNumber = Self.personID
                        }, metadata: officer)
                }
                #expect(twice?.code == .alreadyExists)
                let bad = await #expect(throws: RPCError.self) {
                    _ = try await service.createParty(
                        .with {
                            $0.kind = "organization"
                            $0.name = "某协会"
                            $0.creditCode = "91350100M000100Y44"
                        }, metadata: officer)
                }
                #expect(bad?.code == .invalidArgument && bad?.localizedMessages["en"]?.contains("check character") == true)

                // Search by part of the name and by kind, one page at a time; masked for the auditor too.
                let found = try await service.listParties(.with { $0.nameContains = "养老" }, metadata: auditor)
                #expect(found.parties.map(\.name) == ["湖滨区福寿养老院"])
                let people = try await service.listParties(.with { $0.kind = "person" }, metadata: auditor)
                #expect(people.parties.map(\.idNumber) == [person.idNumber])
                let first = try await service.listParties(.with { $0.page.pageSize = 1 }, metadata: auditor)
                let second = try await service.listParties(
                    .with {
                        $0.page.pageSize = 1
                        $0.page.pageToken = first.nextPageToken
                    }, metadata: auditor)
                #expect(first.parties.count == 1 && second.parties.count == 1 && first.parties[0].partyID != second.parties[0].partyID)
                #expect(try await service.getParty(.with { $0.partyID = person.partyID }, metadata: auditor).name == "赵六")

                // The plain number is in no row of the table.
                let owner = try await harness.database.ownerConnection()
                let hits: Int = try await owner.transaction(TransactionOptions(agencyID: try await harness.agencyID())) {
                    try await $0.scalar("SELECT count(*)::int FROM parties p WHERE strpos(to_jsonb(p)::text, $1) > 0", [Self.personID])
                }
                owner.close()
                #expect(hits == 0)
            }
        }
    }
}
