import FazhiGateway
import FazhiPostgres
import FazhiRPC
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import GRPCCore
import Testing

@Suite(.timeLimit(.minutes(3))) struct PowerListServiceTests {
    static func hubinItems() throws -> [PowerItem] {
        let file = TestCluster.sqlDirectory.deletingLastPathComponent().appendingPathComponent("data/power-list-hubin.csv")
        return try PowerListCSV.parse(try String(contentsOf: file, encoding: .utf8))
    }

    @Test func anAdminPublishesVersionsAndAnyoneReadsThem() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let service = Fazhi_V1_PowerListService.Client(wrapping: client)
                let asAdmin = bearer(try await harness.login(client))
                let agency = GatewayHarness.agencyCode

                let none = await #expect(throws: RPCError.self) { _ = try await service.getPowerList(.with { $0.agencyCode = agency }) }
                #expect(none?.code == .notFound)

                let items = try Self.hubinItems()
                let draft = try await service.replacePowerListDraft(.with { $0.items = items.map(Fazhi_V1_PowerItem.init) }, metadata: asAdmin)
                #expect(draft.items.count == 14)
                let first = try await service.publishPowerList(.with { $0.reason = "首次发布" }, metadata: asAdmin)
                #expect(first.version == 1 && first.items.count == 14 && first.publishedBy == "admin")

                // Anyone reads the version in force, without signing in.
                let published = try await service.getPowerList(.with { $0.agencyCode = agency })
                #expect(published.version == 1 && published.agencyName == "湖滨区民政局" && published.items.map(\.code) == items.map(\.code).sorted())

                // Publishing an unchanged draft is refused; a change makes version 2.
                let unchanged = await #expect(throws: RPCError.self) {
                    _ = try await service.publishPowerList(.with { $0.reason = "再次发布" }, metadata: asAdmin)
                }
                #expect(unchanged?.code == .failedPrecondition)
                var raised = Fazhi_V1_PowerItem(items.first { $0.code == "MZ-XK-001" }!)
                raised.minimumOfficers = 2
                _ = try await service.putPowerItem(.with { $0.item = raised }, metadata: asAdmin)
                _ = try await service.removePowerItem(.with { $0.code = "MZ-JF-003" }, metadata: asAdmin)
                let second = try await service.publishPowerList(.with { $0.reason = "调整执法人数" }, metadata: asAdmin)
                #expect(second.version == 2 && second.items.count == 13)

                // Version 1 is unchanged; both are listed; the changes were queued for disclosure.
                let old = try await service.getPowerList(
                    .with {
                        $0.agencyCode = agency
                        $0.version = 1
                    })
                #expect(old.items.count == 14 && old.items.first { $0.code == "MZ-XK-001" }?.minimumOfficers == 1)
                let versions = try await service.listPowerListVersions(.with { $0.agencyCode = agency })
                #expect(versions.versions.map(\.version) == [2, 1] && versions.versions[0].reason == "调整执法人数")
                let owner = try await harness.database.ownerConnection()
                let announced: [String] = try await owner.transaction(TransactionOptions(agencyID: try await harness.agencyID())) {
                    try await $0.query("SELECT payload::text FROM public_record_outbox WHERE topic = 'power_list' ORDER BY id").map {
                        try $0.decode(at: 0)
                    }
                }
                owner.close()
                #expect(announced.count == 2)
                #expect(announced.last?.contains("MZ-JF-003") == true && announced.last?.contains("MZ-XK-001") == true, "\(announced)")

                // A penalty item with one officer is refused, naming the item and the field.
                var lone = Fazhi_V1_PowerItem(items.first { $0.code == "MZ-CF-001" }!)
                lone.minimumOfficers = 1
                let refused = await #expect(throws: RPCError.self) { _ = try await service.putPowerItem(.with { $0.item = lone }, metadata: asAdmin) }
                #expect(refused?.code == .invalidArgument && refused?.localizedMessages["en"]?.contains("MZ-CF-001") == true)
                let unknown = await #expect(throws: RPCError.self) {
                    _ = try await service.getPowerList(
                        .with {
                            $0.agencyCode = agency
                            $0.version = 9
                        })
                }
                #expect(unknown?.code == .notFound)
            }
        }
    }
}
