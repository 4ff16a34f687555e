import ArgumentParser
import FazhiPostgres
import FazhiRules
import FazhiUseCases
import Foundation

/// What the disclosure benchmarks share: the store, the agency and its log.
struct DisclosureBench: ParsableArguments {
    @OptionGroup var connection: Connection
    @Option(help: "The agency code.") var agency = "411202-MZ"
    @Option(help: "The server secret's file (the log's key is sealed with it).") var secretFile: String

    func open() async throws -> (ConnectionPool, PostgresTenantStore, Agency, DisclosureLogWork) {
        let pool = ConnectionPool(configuration: connection.configuration, options: .init(maximumConnections: 24))
        let store = PostgresTenantStore(pool: pool)
        guard let agency = try await store.agency(code: agency) else { throw ValidationError("no agency \(agency)") }
        let secrets = try ServerSecrets(secretBase64: try String(contentsOfFile: secretFile, encoding: .utf8))
        return (pool, store, agency, DisclosureLogWork(store: store, sealer: secrets.signingKeys))
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

/// Publishing at full speed from many tasks against a running server, whose own worker
/// sequences the log: the rate, and for a sample of entries how long after commit their
/// inclusion proof could be read (a reader polling every 10 ms).
struct DisclosurePublish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disclosure-publish", abstract: "Sustained publishing; proofs' availability.")
    @OptionGroup var bench: DisclosureBench
    @Option(help: "Concurrent publishers.") var publishers = 16
    @Option(help: "Seconds to publish.") var seconds = 20
    @Option(help: "Watch one entry in this many.") var sampleEvery = 25

    func run() async throws {
        let (pool, store, agency, log) = try await bench.open()
        let waits = Locked<[Double]>([])
        let watchers = Locked<[Task<Void, any Error>]>([])
        let sampleEvery = sampleEvery
        let (published, elapsed) = try await runSideBySide(tasks: publishers, seconds: seconds, executor: nil, state: { 0 }) { serial in
            serial += 1
            let now = Moment(instant: Date())
            var entry = DisclosureEntry(
                action: .publish, kind: .decision, subject: "湖民罚决字〔2026〕第\(serial)号", title: "行政处罚决定",
                content: ["document_number": "湖民罚决字〔2026〕第\(serial)号", "outcome": "罚款人民币五千元"],
                category: "社会组织管理", partyType: "organization", occurredOn: now.day, due: now.day.adding(days: 9))
            try entry.publish(at: now, by: nil, origin: DisclosureLogWork.origin(of: agency))
            let published = entry
            try await store.transaction(agency: agency.id, .write(for: nil)) { tx in
                try await tx.disclosures.insert(published, sourceOutbox: nil, at: now.instant)
            }
            guard serial % sampleEvery == 0 else { return }
            let committed = ContinuousClock.now
            watchers.withLock {
                $0.append(
                    Task {
                        while true {
                            if try await log.entry(agency: agency, id: published.id).proof != nil {
                                waits.withLock { $0.append((ContinuousClock.now - committed) / .seconds(1)) }
                                return
                            }
                            try await Task.sleep(for: .milliseconds(10))
                        }
                    })
            }
        }
        for watcher in watchers.current { try await watcher.value }
        let pending = try await pool.transaction(TransactionOptions(agencyID: agency.id)) { c in
            try await c.query("SELECT count(*)::int FROM disclosure_entries WHERE leaf IS NOT NULL AND leaf_index IS NULL")[0].decode(Int.self, at: 0)
        }
        let sorted = waits.current.sorted()
        print(
            String(
                format: "disclosure publishing: %d entries in %.1f s: %.0f per second (%d publishers); waiting for the sequencer at the end: %d",
                published, elapsed, Double(published) / elapsed, publishers, pending))
        print(
            String(
                format: "  proof readable after commit (%d sampled entries): p50 %.0f ms, p99 %.0f ms, max %.0f ms", sorted.count,
                percentile(sorted, 0.5) * 1000, percentile(sorted, 0.99) * 1000, (sorted.last ?? .nan) * 1000))
        await pool.close()
    }
}

/// Inclusion proofs from a log of `leaves` entries (grown to that size first, in SQL and
/// through the real sequencer): latency of one `GetDisclosure`'s work, each proof checked.
struct DisclosureProofs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disclosure-proofs", abstract: "Inclusion-proof latency in a large log.")
    @OptionGroup var bench: DisclosureBench
    @Option(help: "Grow the log to this many leaves first.") var leaves = 1_000_000
    @Option(help: "Proofs to time.") var samples = 2000

    func run() async throws {
        let (pool, _, agency, log) = try await bench.open()
        let origin = DisclosureLogWork.origin(of: agency)
        var size = try await log.latestCheckpoint(agency: agency)?.size ?? 0
        let growStarted = ContinuousClock.now
        while size < leaves {
            // Entries as the publisher writes them, made in bulk by the server: the leaf is
            // the documented encoding, so every proof below verifies.
            let (count, start) = (min(100_000, leaves - size), size)
            _ = try await pool.transaction(TransactionOptions(agencyID: agency.id)) { c in
                try await c.execute(
                    """
                    INSERT INTO disclosure_entries (agency_id, id, action, kind, subject, title, content, content_sha256, occurred_on, state, published_at, late, leaf, created_at)
                    SELECT $1, e.id, 'publish', 'decision', e.subject, '行政处罚决定 ' || e.subject, e.content, sha256(convert_to(e.content, 'UTF8')),
                           current_date, 'published', e.at, false,
                           convert_to(format(E'fazhi-disclosure/v1\\norigin %s\\nentry %s\\naction publish\\nkind decision\\nsubject %s\\nrefers -\\npublished %s\\ncontent-sha256 %s\\n',
                                             $2::text, e.id, e.subject, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                                             encode(sha256(convert_to(e.content, 'UTF8')), 'hex')), 'UTF8'),
                           now()
                    FROM (SELECT gen_random_uuid() AS id, 'B-' || n AS subject, '{"document_number":"B-' || n || '"}' AS content,
                                 date_trunc('milliseconds', now()) + n * interval '1 microsecond' AS at
                          FROM generate_series($3::bigint, $3::bigint + $4 - 1) n) e
                    """, [agency.id, origin, start, count])
            }
            while let made = try await log.sequence(agency: agency, at: Date(), batch: 8192) { size = made.size }
            print("log grown to \(size) leaves")
        }
        print(String(format: "growing the log took %.0f s", (ContinuousClock.now - growStarted) / .seconds(1)))
        let key = try await log.verifierKey(agency: agency)
        let ids: [UUID] = try await pool.transaction(TransactionOptions(agencyID: agency.id)) { c in
            try await c.query("SELECT id FROM disclosure_entries WHERE leaf_index IS NOT NULL ORDER BY random() LIMIT $1", [samples]).map {
                try $0.decode(at: 0)
            }
        }
        var latencies: [Double] = []
        for id in ids {
            let started = ContinuousClock.now
            let (entry, proof, checkpoint) = try await log.entry(agency: agency, id: id)
            latencies.append((ContinuousClock.now - started) / .seconds(1))
            try DisclosureVerification.verifyEntry(entry, proof: proof ?? [], checkpointNote: checkpoint?.note ?? "", verifier: key)
        }
        latencies.sort()
        print(
            String(
                format: "inclusion proof at %d leaves (%d samples, each verified): p50 %.2f ms, p99 %.2f ms, max %.2f ms", size, latencies.count,
                percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000, (latencies.last ?? .nan) * 1000))
        await pool.close()
    }
}

final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    var current: Value { lock.withLock { value } }
    func withLock<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&value) } }
}
