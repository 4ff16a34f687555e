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

@testable import FazhiFiles

@Suite(.timeLimit(.minutes(3))) struct EvidenceTests {
    static func hex(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    /// Uploads `data` in chunks of `chunk` bytes, declaring `sha256`.
    static func upload(
        _ client: GRPCClient<HTTP2ClientTransport.Posix>, caseID: String, data: Data, sha256: String, chunk: Int = 64 * 1024,
        metadata: Metadata
    ) async throws -> Fazhi_V1_CaseRecordEntry {
        try await Fazhi_V1_CaseRecordService.Client(wrapping: client).uploadEvidence(metadata: metadata) { writer in
            var offset = 0
            var first = true
            repeat {
                let piece = data.subdata(in: offset..<min(offset + chunk, data.count))
                try await writer.write(
                    .with {
                        if first {
                            $0.caseID = caseID
                            $0.step = "investigate"
                            $0.sha256 = sha256
                            $0.text = "现场照片"
                        }
                        $0.data = piece
                    })
                first = false
                offset += chunk
            } while offset < data.count
        }
    }

    /// Every file kept under the evidence directory (temporary ones included).
    static func keptFiles(_ harness: GatewayHarness) -> [String] {
        let root = harness.files.directory.appendingPathComponent("evidence")
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        return (walker?.allObjects as? [URL] ?? []).filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }.map(
            \.lastPathComponent)
    }

    @Test func evidenceStreamsInHashedAndComesBackByItsHash() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let bench = try await CaseServiceTests.bench(harness, client)
                let li = bearer(bench.corps.liToken)
                let cases = Fazhi_V1_CaseService.Client(wrapping: client)
                let kase = try await cases.openCase(
                    .with {
                        $0.itemCode = "MZ-XK-001"
                        $0.partyID = bench.partyID
                        $0.officerIds = [bench.corps.liOfficerID]
                    }, metadata: li)
                let photo = Data((0..<300_000).map { _ in UInt8.random(in: 0...255) })
                let sha256 = Self.hex(photo)

                let entry = try await Self.upload(client, caseID: kase.caseID, data: photo, sha256: sha256, metadata: li)
                #expect(entry.evidenceSha256 == [sha256] && entry.event == "evidence" && entry.step == "investigate")
                #expect(Self.keptFiles(harness) == [sha256])
                let again = try await Self.upload(client, caseID: kase.caseID, data: photo, sha256: sha256, chunk: 7_000, metadata: li)
                #expect(again.id == entry.id, "the same file for the same step is one entry")

                let records = Fazhi_V1_CaseRecordService.Client(wrapping: client)
                let downloaded = try await records.downloadEvidence(
                    .with {
                        $0.caseID = kase.caseID
                        $0.sha256 = sha256
                    }, metadata: bearer(bench.corps.auditorToken)
                ) { response in
                    var bytes = Data()
                    for try await chunk in response.messages { bytes.append(chunk.data) }
                    return bytes
                }
                #expect(downloaded == photo)
                let foreign = await #expect(throws: RPCError.self) {
                    try await records.downloadEvidence(
                        .with {
                            $0.caseID = kase.caseID
                            $0.sha256 = String(repeating: "0", count: 64)
                        }, metadata: li
                    ) { response in
                        for try await _ in response.messages {}
                    }
                }
                #expect(foreign?.code == .notFound)

                // A correction is a new entry pointing at the old one, which stays as it was.
                let correction = try await records.correctRecord(
                    .with {
                        $0.caseID = kase.caseID
                        $0.entryID = entry.id
                        $0.text = "照片拍摄时间应为上午"
                    }, metadata: li)
                #expect(correction.corrects == entry.id && correction.event == "correction")
                let record = try await cases.getCase(.with { $0.caseID = kase.caseID }, metadata: li).record
                #expect(record.first { $0.id == entry.id }?.text == "现场照片" && record.last?.id == correction.id)
            }
        }
    }

    @Test func aWrongHashOrAFileOverTheLimitLeavesNothingBehind() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let bench = try await CaseServiceTests.bench(harness, client)
                let li = bearer(bench.corps.liToken)
                let kase = try await Fazhi_V1_CaseService.Client(wrapping: client).openCase(
                    .with {
                        $0.itemCode = "MZ-XK-001"
                        $0.partyID = bench.partyID
                        $0.officerIds = [bench.corps.liOfficerID]
                    }, metadata: li)
                let data = Data(repeating: 7, count: 100_000)
                let wrong = await #expect(throws: RPCError.self) {
                    _ = try await Self.upload(client, caseID: kase.caseID, data: data, sha256: Self.hex(data + Data([1])), metadata: li)
                }
                #expect(wrong?.code == .invalidArgument && wrong?.localizedMessages["en"]?.contains("SHA-256") == true)
                let big = Data(repeating: 1, count: GatewayHarness.evidenceMaximumBytes + 1)
                let tooBig = await #expect(throws: RPCError.self) {
                    _ = try await Self.upload(client, caseID: kase.caseID, data: big, sha256: Self.hex(big), metadata: li)
                }
                #expect(tooBig?.code == .invalidArgument && tooBig?.localizedMessages["en"]?.contains("limit") == true)
                let malformed = await #expect(throws: RPCError.self) {
                    _ = try await Self.upload(client, caseID: kase.caseID, data: data, sha256: "abc", metadata: li)
                }
                #expect(malformed?.code == .invalidArgument)
                #expect(Self.keptFiles(harness).isEmpty, "no file, whole or partial, remains")
                let record = try await Fazhi_V1_CaseService.Client(wrapping: client).getCase(.with { $0.caseID = kase.caseID }, metadata: li).record
                #expect(!record.contains { $0.event == "evidence" })
            }
        }
    }

    /// Refused after every byte arrived (an unknown case, a closed one, a bad step) or cut
    /// off half-way: no file remains, and a file another case already holds is kept.
    @Test func anUploadRefusedForAnyReasonLeavesNoFile() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let bench = try await CaseServiceTests.bench(harness, client)
                let li = bearer(bench.corps.liToken)
                let cases = Fazhi_V1_CaseService.Client(wrapping: client)
                let kase = try await cases.openCase(
                    .with {
                        $0.itemCode = "MZ-XK-001"
                        $0.partyID = bench.partyID
                        $0.officerIds = [bench.corps.liOfficerID]
                    }, metadata: li)
                let data = Data((0..<50_000).map { UInt8(truncatingIfNeeded: $0 * 31) })
                let unknown = await #expect(throws: RPCError.self) {
                    _ = try await Self.upload(client, caseID: UUID().uuidString, data: data, sha256: Self.hex(data), metadata: li)
                }
                #expect(unknown?.code == .notFound)
                #expect(Self.keptFiles(harness).isEmpty, "a file for an unknown case is not kept")

                let badStep = await #expect(throws: RPCError.self) {
                    _ = try await Fazhi_V1_CaseRecordService.Client(wrapping: client).uploadEvidence(metadata: li) { writer in
                        try await writer.write(
                            .with {
                                $0.caseID = kase.caseID
                                $0.step = "nonsense"
                                $0.sha256 = Self.hex(data)
                                $0.data = data
                            })
                    }
                }
                #expect(badStep?.code == .invalidArgument)
                #expect(Self.keptFiles(harness).isEmpty, "a file for no step is not kept")

                struct Dropped: Error {}
                await #expect(throws: (any Error).self) {
                    _ = try await Fazhi_V1_CaseRecordService.Client(wrapping: client).uploadEvidence(metadata: li) { writer in
                        try await writer.write(
                            .with {
                                $0.caseID = kase.caseID
                                $0.step = "investigate"
                                $0.sha256 = Self.hex(data + data)
                                $0.data = data
                            })
                        throw Dropped()
                    }
                }
                // The server learns of the drop asynchronously; give it a moment to clean up.
                for _ in 0..<50 where !Self.keptFiles(harness).isEmpty { try await Task.sleep(for: .milliseconds(100)) }
                #expect(Self.keptFiles(harness).isEmpty, "a dropped upload leaves nothing")

                // The same content, kept for this case, then refused for an unknown one: kept.
                _ = try await Self.upload(client, caseID: kase.caseID, data: data, sha256: Self.hex(data), metadata: li)
                await #expect(throws: RPCError.self) {
                    _ = try await Self.upload(client, caseID: UUID().uuidString, data: data, sha256: Self.hex(data), metadata: li)
                }
                #expect(Self.keptFiles(harness) == [Self.hex(data)], "the file the case holds stays")
            }
        }
    }

    /// The sweep the server runs at startup and periodically: an upload abandoned
    /// half-way and a kept file no case refers to go once past their grace; a file a case
    /// refers to, and anything still fresh, stay.
    @Test func theSweepRemovesAbandonedUploadsAndUnreferencedFilesOnly() async throws {
        try await GatewayHarness.with { harness in
            try await harness.withClient { client in
                let bench = try await CaseServiceTests.bench(harness, client)
                let li = bearer(bench.corps.liToken)
                let kase = try await Fazhi_V1_CaseService.Client(wrapping: client).openCase(
                    .with {
                        $0.itemCode = "MZ-XK-001"
                        $0.partyID = bench.partyID
                        $0.officerIds = [bench.corps.liOfficerID]
                    }, metadata: li)
                let referenced = Data("现场照片".utf8)
                _ = try await Self.upload(client, caseID: kase.caseID, data: referenced, sha256: Self.hex(referenced), metadata: li)
                let root = harness.files.directory.appendingPathComponent("evidence")
                let evidence = try FileEvidenceStore(root: root)
                let agency = try await harness.agencyID()
                // Kept by an upload whose record never committed (a crash in between).
                let orphan = Data("无人引用".utf8)
                let fresh = Data("刚刚上传".utf8)
                for data in [orphan, fresh] {
                    _ = try await evidence.store(
                        agency: agency, limit: 1024,
                        chunks: AsyncStream {
                            $0.yield(data)
                            $0.finish()
                        }
                    ) { Self.hex(data) }
                }
                let incoming = root.appendingPathComponent(agency.uuidString.lowercased()).appendingPathComponent("incoming")
                for name in ["abandoned", "in-progress"] { try Data(count: 4096).write(to: incoming.appendingPathComponent(name)) }
                // Two hours ago: everything but the fresh file and the upload in progress.
                let old = Date().addingTimeInterval(-7200)
                for path in [
                    incoming.appendingPathComponent("abandoned").path, evidence.path(agency: agency, sha256: Self.hex(orphan)).path,
                    evidence.path(agency: agency, sha256: Self.hex(referenced)).path,
                ] {
                    try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
                }
                let sweep = EvidenceSweepWork(store: harness.store, evidence: evidence, abandonedAfter: 600, unreferencedAfter: 3600)
                let result = try await sweep.run(now: Date())
                #expect(result.abandonedUploads == 1 && result.unreferencedFiles == 1, "\(result)")
                #expect(Set(Self.keptFiles(harness)) == [Self.hex(referenced), Self.hex(fresh), "in-progress"])
                // Still readable through the case.
                let download = try await Fazhi_V1_CaseRecordService.Client(wrapping: client).downloadEvidence(
                    .with {
                        $0.caseID = kase.caseID
                        $0.sha256 = Self.hex(referenced)
                    }, metadata: li
                ) { response in try await response.messages.reduce(into: Data()) { $0.append($1.data) } }
                #expect(download == referenced)
            }
        }
    }
}
