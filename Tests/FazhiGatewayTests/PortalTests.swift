import FazhiGateway
import FazhiPostgres
import FazhiRPC
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Testing

/// The public portal in Debian's headless Chromium: pages render, the in-browser check
/// passes for a real entry and fails for one whose row was changed by direct SQL.
@Suite(.timeLimit(.minutes(3))) struct PortalTests {
    /// Loads `url` in headless Chromium, lets its scripts run, and returns the DOM. It
    /// waits on a thread of its own, never on Swift's cooperative pool (which serves the
    /// portal under test).
    static func chromium(_ url: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    with: Result {
                        let process = Process()
                        process.executableURL = URL(fileURLWithPath: "/usr/bin/chromium")
                        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
                        defer { try? FileManager.default.removeItem(at: profile) }
                        process.arguments = [
                            "--headless", "--no-sandbox", "--disable-gpu", "--ignore-certificate-errors", "--user-data-dir=\(profile.path)",
                            "--virtual-time-budget=10000", "--dump-dom", url,
                        ]
                        let output = Pipe()
                        process.standardOutput = output
                        process.standardError = FileHandle.nullDevice
                        try process.run()
                        let data = output.fileHandleForReading.readDataToEndOfFile()
                        process.waitUntilExit()
                        guard process.terminationStatus == 0 else { throw ChromiumFailed(status: process.terminationStatus) }
                        return String(decoding: data, as: UTF8.self)
                    })
            }
        }
    }

    struct ChromiumFailed: Error { let status: Int32 }

    @Test func pagesRenderAndTheBrowserCheckPassesThenCatchesATamperedRow() async throws {
        try await GatewayHarness.with { harness in
            let code = try await harness.withClient { client in
                let corps = try await CorpsFixture.make(harness, client)
                return try await Fazhi_V1_CredentialService.Client(wrapping: client).getVerificationCode(
                    .with { $0.credentialID = corps.liCredential.credentialID }, metadata: bearer(corps.liToken)
                ).code
            }
            let agency = try #require(try await harness.store.agency(code: GatewayHarness.agencyCode))
            let log = DisclosureLogWork(store: harness.store, sealer: GatewayHarness.secrets.signingKeys)
            try await DisclosurePublishingWork(store: harness.store).run(agency: agency, at: Moment(instant: harness.clock.now))
            try await log.sequence(agency: agency, at: harness.clock.now)

            try await harness.withPortal { port in
                let base = "https://127.0.0.1:\(port)/\(GatewayHarness.agencyCode)"

                let list = try await Self.chromium(base + "/disclosures")
                #expect(list.contains("行政执法公示") && list.contains("执法人员名单变更"))
                let english = try await Self.chromium(base + "/disclosures?lang=en&kind=enforcement_personnel")
                #expect(english.contains("Enforcement disclosures") && english.contains("lang=\"en\""))
                let id = try #require(list.firstMatch(of: /disclosures\/([0-9a-f-]{36})/)?.1).description
                let page = try await Self.chromium(base + "/disclosures/\(id)")
                #expect(page.contains("data-result=\"verified\""), "the in-browser check passes: \(page.suffix(600))")
                let verify = try await Self.chromium(
                    base + "/verify?number=\(GatewayHarness.agencyCode)-\(Moment(instant: harness.clock.now).day.year)-00001")
                #expect(verify.contains("check ok"), "credential verification renders")
                let scanned = try await Self.chromium(
                    base + "/verify?code=" + (code.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
                #expect(scanned.contains("check ok") && scanned.contains("社会组织管理"), "a scanned code verifies")
                // One character of the signed part changed (not the last: base64's final
                // character may carry only padding bits).
                var altered = Array(code)
                let middle = altered.count * 3 / 4
                altered[middle] = altered[middle] == "A" ? "B" : "A"
                let forged = try await Self.chromium(
                    base + "/verify?code=" + String(altered).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
                #expect(forged.contains("check bad"), "an altered code does not")
                let powerList = try await Self.chromium(base + "/power-list")
                #expect(powerList.contains("权责清单"))

                // The row's content changed by direct SQL, past the triggers: the browser says so.
                let owner = try await harness.database.ownerConnection()
                let entryID = try #require(UUID(uuidString: id))
                try await owner.transaction(TransactionOptions(agencyID: agency.id)) { c in
                    try await c.simpleQuery("ALTER TABLE disclosure_entries DISABLE TRIGGER disclosure_entries_frozen")
                    try await c.query("UPDATE disclosure_entries SET content = replace(content, '社会组织管理', '养老服务') WHERE id = $1", [entryID])
                    try await c.simpleQuery("ALTER TABLE disclosure_entries ENABLE TRIGGER disclosure_entries_frozen")
                }
                owner.close()
                let tampered = try await Self.chromium(base + "/disclosures/\(id)")
                #expect(tampered.contains("data-result=\"failed\""), "the in-browser check fails: \(tampered.suffix(600))")

            }
        }
    }
}
