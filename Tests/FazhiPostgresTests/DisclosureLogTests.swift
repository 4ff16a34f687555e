import Crypto
import FazhiPostgres
import FazhiRules
import FazhiTestSupport
import FazhiUseCases
import Foundation
import Testing

extension Data {
    /// Consecutive slices of `size` bytes.
    func chunks(ofCount size: Int) -> [Data] {
        stride(from: 0, to: count, by: size).map { Data(self[(startIndex + $0)..<Swift.min(startIndex + $0 + size, endIndex)]) }
    }
}

@Suite(.timeLimit(.minutes(3))) struct DisclosureLogTests {
    static let secrets = try! ServerSecrets(secretBase64: ServerSecrets.generate())

    static func caller(_ fixture: CredentialStoreTests.Fixture, roles: Set<Role>) -> Caller {
        Caller(agency: fixture.agency, userID: UUID(), username: "u", displayName: "用户", roles: roles, proof: .session, sessionID: nil)
    }

    static func call() -> CallAudit { CallAudit(method: "test", peer: "test", requestID: "r", elapsedMicroseconds: { 0 }) }

    /// A published entry written straight into the store, as the publisher would.
    static func publish(
        _ fixture: CredentialStoreTests.Fixture, subject: String, content: [String: String] = [:], at now: Moment
    ) async throws -> DisclosureEntry {
        try await fixture.store.transaction(agency: fixture.agency.id, .write(for: nil)) { tx in
            var entry = DisclosureEntry(
                action: .publish, kind: .decision, subject: subject, title: "决定 \(subject)",
                content: content.isEmpty ? ["document_number": subject] : content, category: "社会组织管理",
                partyType: "organization", occurredOn: now.day, due: now.day.adding(days: 5))
            try entry.publish(at: now, by: nil, origin: DisclosureLogWork.origin(of: fixture.agency))
            try await tx.disclosures.insert(entry, sourceOutbox: nil, at: now.instant)
            return entry
        }
    }

    /// Every entry of the log in leaf order, as `fazhi disclosure verify` reads them.
    static func allEntries(_ fixture: CredentialStoreTests.Fixture, size: Int) async throws -> [DisclosureEntry] {
        try await fixture.store.transaction(agency: fixture.agency.id, .read) { tx in
            var entries: [DisclosureEntry] = []
            for index in 0..<size { entries.append(try #require(try await tx.disclosures.entry(leafIndex: index))) }
            return entries
        }
    }

    /// Many publishers at once and several sequencers racing: every entry gets exactly one
    /// leaf, the indexes run without gaps, every inclusion proof verifies against the
    /// signed checkpoint, and every checkpoint extends the one before.
    @Test func theSequencerUnderConcurrentPublishingNeitherLosesNorDuplicatesALeaf() async throws {
        try await TestDatabase.with { db in
            let fixture = try await CredentialStoreTests.fixture(db)
            let log = DisclosureLogWork(store: fixture.store, sealer: Self.secrets.signingKeys)
            let now = Moment(instant: Date())
            let published = Locked<[UUID]>([])
            let checkpoints = Locked<[StoredCheckpoint]>([])
            let stop = Locked(false)
            let sequencers = Task {
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<3 {
                        group.addTask {
                            while !stop.current {
                                if let made = try? await log.sequence(agency: fixture.agency, at: Date(), batch: 7) {
                                    checkpoints.withLock { $0.append(made) }
                                }
                                try? await Task.sleep(for: .milliseconds(2))
                            }
                        }
                    }
                }
            }
            let errors = await runConcurrently(
                (0..<8).map { writer in
                    { @Sendable in
                        for n in 0..<25 {
                            let entry = try await Self.publish(fixture, subject: "W\(writer)-\(n)", at: now)
                            published.withLock { $0.append(entry.id) }
                        }
                    }
                })
            #expect(errors.isEmpty, "\(errors)")
            // Let the sequencers drain what is left, then stop them.
            for _ in 0..<200 {
                if try await log.latestCheckpoint(agency: fixture.agency)?.size == 200 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            stop.withLock { $0 = true }
            await sequencers.value

            let latest = try #require(try await log.latestCheckpoint(agency: fixture.agency))
            #expect(latest.size == 200)
            let entries = try await Self.allEntries(fixture, size: 200)
            #expect(Set(entries.map(\.id)) == Set(published.current), "each published entry exactly once")
            let verifier = try await log.verifierKey(agency: fixture.agency)
            try DisclosureVerification.verifyLog(
                entries: entries, checkpoint: try Checkpoint(note: latest.note, verifier: verifier), saved: nil, consistency: [])
            for id in published.current.prefix(40) {
                let (entry, proof, checkpoint) = try await log.entry(agency: fixture.agency, id: id)
                try DisclosureVerification.verifyEntry(
                    entry, proof: try #require(proof), checkpointNote: try #require(checkpoint).note, verifier: verifier)
            }
            // Every checkpoint the sequencers signed is extended by the latest.
            for earlier in checkpoints.current where earlier.size >= 1 {
                let proof = try await log.consistency(agency: fixture.agency, from: earlier.size, to: latest.size)
                #expect(
                    MerkleTree.verifyConsistency(
                        oldSize: earlier.size, newSize: latest.size, oldRoot: earlier.root, newRoot: latest.root, proof: proof))
            }
            await fixture.pool.close()
        }
    }

    /// The log in the tlog-tiles layout: full and partial hash tiles and entry bundles,
    /// from which an outside auditor recomputes every leaf hash and the signed root.
    @Test func tilesLetAnAuditorRecomputeTheSignedRoot() async throws {
        try await TestDatabase.with { db in
            let fixture = try await CredentialStoreTests.fixture(db)
            let log = DisclosureLogWork(store: fixture.store, sealer: Self.secrets.signingKeys)
            let now = Moment(instant: Date())
            for n in 0..<300 { _ = try await Self.publish(fixture, subject: "T\(n)", at: now) }
            let checkpoint = try #require(try await log.sequence(agency: fixture.agency, at: Date()))
            #expect(checkpoint.size == 300)
            // Level 0: a full tile of 256 hashes, then a partial one of 44.
            let full = try #require(try await log.tile(agency: fixture.agency, TilePath(kind: .hashes(level: 0), index: 0)))
            let partial = try #require(try await log.tile(agency: fixture.agency, TilePath(kind: .hashes(level: 0), index: 1, width: 44)))
            #expect(full.count == 256 * 32 && partial.count == 44 * 32)
            #expect(try await log.tile(agency: fixture.agency, TilePath(kind: .hashes(level: 0), index: 1)) == nil, "no full tile before its time")
            #expect(try await log.tile(agency: fixture.agency, TilePath(kind: .hashes(level: 0), index: 2, width: 1)) == nil)
            // Level 1 holds the one complete subtree of 256 leaves.
            let upper = try #require(try await log.tile(agency: fixture.agency, TilePath(kind: .hashes(level: 1), index: 0, width: 1)))
            // Entry bundles: each leaf behind its 16-bit big-endian length.
            var leaves: [Data] = []
            for (index, width) in [(0, 256), (1, 44)] {
                var bundle = try #require(try await log.tile(agency: fixture.agency, TilePath(kind: .entries, index: index, width: width)))[...]
                while !bundle.isEmpty {
                    let length = Int(bundle[bundle.startIndex]) << 8 | Int(bundle[bundle.startIndex + 1])
                    leaves.append(Data(bundle.dropFirst(2).prefix(length)))
                    bundle = bundle.dropFirst(2 + length)
                }
            }
            #expect(leaves.count == 300)
            let hashes = leaves.map(MerkleTree.leafHash)
            let tileHashes = (full + partial).chunks(ofCount: 32)
            #expect(Array(tileHashes) == hashes, "the level-0 tiles hold the entries' leaf hashes")
            #expect(upper == MerkleTree.root(of: hashes[..<256]))
            #expect(MerkleTree.root(of: hashes[...]) == checkpoint.root, "the tiles add up to the signed root")
            await fixture.pool.close()
        }
    }

    /// A withdrawn entry: its content is gone from every answer and from the table; its
    /// leaf still proves; the withdrawal is public, with its reason.
    @Test func aWithdrawnEntryKeepsItsPlaceInTheLogAndLosesItsContent() async throws {
        try await TestDatabase.with { db in
            let fixture = try await CredentialStoreTests.fixture(db)
            let log = DisclosureLogWork(store: fixture.store, sealer: Self.secrets.signingKeys)
            let now = Moment(instant: Date())
            let entry = try await Self.publish(
                fixture, subject: "湖民罚决字〔2026〕第001号", content: ["outcome": "罚款人民币5000元", "document_number": "湖民罚决字〔2026〕第001号"], at: now)
            try await log.sequence(agency: fixture.agency, at: Date())
            let work = DisclosureWork(store: fixture.store)
            // Only a reason of substance, and never a change in the future.
            await #expect(throws: DomainError.self) {
                try await work.withdraw(
                    Self.caller(fixture, roles: [.approver]), entryID: entry.id, reason: " ", changedOn: now.day, call: Self.call(), at: now)
            }
            await #expect(throws: DomainError.self) {
                try await work.withdraw(
                    Self.caller(fixture, roles: [.approver]), entryID: entry.id, reason: "复议撤销", changedOn: now.day.adding(days: 1),
                    call: Self.call(), at: now)
            }
            let notice = try await work.withdraw(
                Self.caller(fixture, roles: [.approver]), entryID: entry.id, reason: "经行政复议决定撤销",
                changedOn: now.day, call: Self.call(), at: now)
            #expect(notice.late == false)
            try await log.sequence(agency: fixture.agency, at: Date())

            let listed = try await work.publicEntries(agency: fixture.agency, DisclosureFilter(), after: nil, limit: 10)
            #expect(listed.count == 2)
            let withdrawn = try #require(listed.first { $0.id == entry.id })
            #expect(withdrawn.state == .withdrawn && withdrawn.content == nil && withdrawn.supersededBy == notice.id)
            #expect(listed.first { $0.id == notice.id }?.fields["reason"] == "经行政复议决定撤销")
            // Not in the stored row either.
            let owner = try await db.ownerConnection()
            let stored = try await owner.transaction(TransactionOptions(agencyID: fixture.agency.id)) { c in
                try await c.query("SELECT count(*)::int FROM disclosure_entries WHERE content LIKE '%5000%'")[0].decode(Int.self, at: 0)
            }
            #expect(stored == 0)
            // The proof still verifies, and the second withdrawal is refused.
            let verifier = try await log.verifierKey(agency: fixture.agency)
            let (again, proof, checkpoint) = try await log.entry(agency: fixture.agency, id: entry.id)
            try DisclosureVerification.verifyEntry(
                again, proof: try #require(proof), checkpointNote: try #require(checkpoint).note, verifier: verifier)
            await #expect(throws: DomainError.self) {
                try await work.withdraw(
                    Self.caller(fixture, roles: [.approver]), entryID: entry.id, reason: "再次撤回", changedOn: now.day, call: Self.call(), at: now)
            }
            owner.close()
            await fixture.pool.close()
        }
    }

    /// Four publishers at once on one outbox (several servers, or a demo load beside the
    /// server's worker): every row becomes exactly one entry, and none of them fails.
    @Test func severalPublishersShareTheOutboxWithoutErrors() async throws {
        try await TestDatabase.with { db in
            let fixture = try await CredentialStoreTests.fixture(db)
            let owner = try await db.ownerConnection()
            let rows = 120
            try await owner.transaction(TransactionOptions(agencyID: fixture.agency.id)) { c in
                for version in 1...rows {
                    _ = try await c.execute(
                        "INSERT INTO public_record_outbox (agency_id, topic, subject, event, payload, occurred_at) VALUES ($1, 'power_list', $2, 'publish', $3::jsonb, now())",
                        [fixture.agency.id, "v\(version)", #"{"version": \#(version), "added": [], "changed": [], "removed": [], "reason": "测试"}"#])
                }
            }
            let now = Moment(instant: Date())
            let made = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await DisclosurePublishingWork(store: fixture.store).run(agency: fixture.agency, at: now, batch: 10) }
                }
                return try await group.reduce(0, +)
            }
            #expect(made == rows)
            let entries = try await owner.transaction(TransactionOptions(agencyID: fixture.agency.id)) { c in
                try await c.query("SELECT count(*)::int, count(DISTINCT source_outbox)::int FROM disclosure_entries WHERE kind = 'power_list'")
                    .map { (try $0.decode(Int.self, at: 0), try $0.decode(Int.self, at: 1)) }[0]
            }
            #expect(entries.0 == rows && entries.1 == rows)
            owner.close()
            await fixture.pool.close()
        }
    }

    /// The application role cannot unpublish an entry, erase its content while it stays
    /// published, or change what the public read (late, title, due day); only the
    /// lifecycle's own moves pass.
    @Test func theDatabaseGuardsAPublishedEntryCompletely() async throws {
        try await TestDatabase.with { db in
            let fixture = try await CredentialStoreTests.fixture(db)
            let now = Moment(instant: Date())
            let entry = try await Self.publish(fixture, subject: "湖民罚决字〔2026〕第009号", content: ["outcome": "警告"], at: now)
            let app = try await db.applicationConnection()
            for change in [
                "state = 'draft'", "content = NULL", "late = NOT late", "title = '改过的标题'", "due_on = due_on + 30",
                "released_by = gen_random_uuid()", "state = 'corrected', superseded_by = NULL", "superseded_by = gen_random_uuid()",
            ] {
                await #expect(throws: PostgresError.self, "\(change) is refused") {
                    try await app.transaction(TransactionOptions(agencyID: fixture.agency.id)) { c in
                        _ = try await c.execute("UPDATE disclosure_entries SET \(change) WHERE id = $1", [entry.id])
                    }
                }
            }
            // A withdrawal erases the content and points at its notice: allowed, once.
            let notice = UUID()
            try await app.transaction(TransactionOptions(agencyID: fixture.agency.id)) { c in
                _ = try await c.execute(
                    "UPDATE disclosure_entries SET state = 'withdrawn', content = NULL, superseded_by = $2 WHERE id = $1", [entry.id, notice])
            }
            for change in ["state = 'published'", "content = '{}'", "superseded_by = gen_random_uuid()"] {
                await #expect(throws: PostgresError.self, "after the withdrawal, \(change) is refused") {
                    try await app.transaction(TransactionOptions(agencyID: fixture.agency.id)) { c in
                        _ = try await c.execute("UPDATE disclosure_entries SET \(change) WHERE id = $1", [entry.id])
                    }
                }
            }
            app.close()
            await fixture.pool.close()
        }
    }

    /// Rows changed by direct SQL, past the triggers: a changed content is caught by its
    /// hash; content, hash and leaf changed together are caught by the signed root; and
    /// a checkpoint saved earlier catches a rewritten history.
    @Test func rowsChangedByDirectSQLAreCaught() async throws {
        try await TestDatabase.with { db in
            let fixture = try await CredentialStoreTests.fixture(db)
            let log = DisclosureLogWork(store: fixture.store, sealer: Self.secrets.signingKeys)
            let now = Moment(instant: Date())
            var published: [UUID] = []
            for n in 1...5 { published.append(try await Self.publish(fixture, subject: "N\(n)", content: ["fine": "\(n)000"], at: now).id) }
            let ids = published
            let saved = try #require(try await log.sequence(agency: fixture.agency, at: Date()))
            let verifier = try await log.verifierKey(agency: fixture.agency)
            let savedCheckpoint = try Checkpoint(note: saved.note, verifier: verifier)
            try DisclosureVerification.verifyLog(
                entries: try await Self.allEntries(fixture, size: 5), checkpoint: savedCheckpoint, saved: nil, consistency: [])

            // The application role cannot rewrite a published entry.
            await #expect(throws: PostgresError.self) {
                try await fixture.store.transaction(agency: fixture.agency.id, .write(for: nil)) { tx in
                    var entry = try #require(try await tx.disclosures.entry(id: ids[2], locking: true))
                    entry.content = #"{"fine":"1"}"#
                    try await tx.disclosures.save(entry)
                }
            }

            let owner = try await db.ownerConnection()
            // Not even the owner deletes an entry while the guard stands.
            for statement in ["DELETE FROM disclosure_entries", "TRUNCATE disclosure_entries CASCADE"] {
                let refused = await #expect(throws: PostgresError.self) {
                    try await owner.transaction(TransactionOptions(agencyID: fixture.agency.id)) { try await $0.simpleQuery(statement) }
                }
                #expect(refused?.message.contains("never deleted") == true, "\(statement)")
            }
            func tamper(_ sql: String) async throws {
                try await owner.transaction(TransactionOptions(agencyID: fixture.agency.id)) { c in
                    try await c.simpleQuery("ALTER TABLE disclosure_entries DISABLE TRIGGER disclosure_entries_frozen")
                    try await c.query(sql, [ids[2]])
                    try await c.simpleQuery("ALTER TABLE disclosure_entries ENABLE TRIGGER disclosure_entries_frozen")
                }
            }
            try await tamper(#"UPDATE disclosure_entries SET content = '{"fine":"1"}' WHERE id = $1"#)
            var entries = try await Self.allEntries(fixture, size: 5)
            let failure = #expect(throws: DisclosureVerification.Failure.self) {
                try DisclosureVerification.verifyLog(entries: entries, checkpoint: savedCheckpoint, saved: nil, consistency: [])
            }
            #expect(failure?.entries == [ids[2]])
            // Content and its hash rewritten together: the leaf no longer matches the tree.
            try await tamper(#"UPDATE disclosure_entries SET content = '{"fine":"1"}', content_sha256 = sha256('{"fine":"1"}') WHERE id = $1"#)
            entries = try await Self.allEntries(fixture, size: 5)
            #expect(throws: DisclosureVerification.Failure.self) {
                try DisclosureVerification.verifyLog(entries: entries, checkpoint: savedCheckpoint, saved: nil, consistency: [])
            }
            let (entry, proof, checkpoint) = try await log.entry(agency: fixture.agency, id: ids[2])
            #expect(throws: DisclosureVerification.Failure.self) {
                try DisclosureVerification.verifyEntry(
                    entry, proof: try #require(proof), checkpointNote: try #require(checkpoint).note, verifier: verifier)
            }
            owner.close()
            await fixture.pool.close()
        }
    }
}
