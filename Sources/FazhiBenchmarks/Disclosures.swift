import ArgumentParser
import FazhiDomain
import FazhiPostgres
import Foundation

/// What the disclosure benchmarks share: the store, the agency and its log.
struct DisclosureBench: ParsableArguments {
    @OptionGroup var connection: Connection
    @Option(help: "The agency code.") var agency = "411202-MZ"
    @Option(help: "The server secret's file (the log's key is sealed with it).") var secretFile: String

    func open() async throws -> (ConnectionPool, PostgresTenantStore, Agency, DisclosureLog) {
        let pool = ConnectionPool(configuration: connection.configuration, options: .init(maximumConnections: 24))
        let store = PostgresTenantStore(pool: pool)
        guard let agency = try await store.agency(code: agency) else { throw ValidationError("no agency \(agency)") }
        let secrets = try ServerSecrets(secretBase64: try String(contentsOfFile: secretFile, encoding: .utf8))
        return (pool, store, agency, DisclosureLog(store: store, sealer: secrets.signingKeys))
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

/// Publishing at full speed from many tasks while one sequencer keeps the log: the rate,
/// and how long each entry waited for a signed checkpoint that includes it.
struct DisclosurePublish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disclosure-publish", abstract: "Sustained publishing with the sequencer running.")
    @OptionGroup var bench: DisclosureBench
    @Option(help: "Concurrent publishers.") var publishers = 16
    @Option(help: "Seconds to publish.") var seconds = 20

    func run() async throws {
        let (pool, store, agency, log) = try await bench.open()
        let before = try await log.latestCheckpoint(agency: agency)?.size ?? 0
        let checkpoints = Locked<[(size: Int, at: Date)]>([])
        let stop = Locked(false)
        let sequencer = Task {
            while true {
                let done = stop.current
                if let made = try await log.sequence(agency: agency, at: Date()) {
                    checkpoints.withLock { $0.append((made.size, Date())) }
                } else if done {
                    return
                } else {
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
        }
        let (published, elapsed) = try await runSideBySide(tasks: publishers, seconds: seconds, executor: nil, state: { 0 }) { serial in
            serial += 1
            let now = Moment(instant: Date())
            var entry = DisclosureEntry(action: .publish, kind: .decision, subject: "湖民罚决字〔2026〕第\(serial)号", title: "行政处罚决定",
                                        content: ["document_number": "湖民罚决字〔2026〕第\(serial)号", "outcome": "罚款人民币五千元"],
                                        category: "社会组织管理", partyType: "organization", occurredOn: now.day, due: now.day.adding(days: 9))
            try entry.publish(at: now, by: nil, origin: DisclosureLog.origin(of: agency))
            let published = entry
            try await store.transaction(agency: agency.id, readOnly: false) { tx in try await tx.disclosures.insert(published, sourceOutbox: nil, at: now.instant) }
        }
        stop.withLock { $0 = true }
        try await sequencer.value
        // Each entry's wait: from its publication to the first checkpoint that holds it.
        let rows = try await store.transaction(agency: agency.id, readOnly: true) { tx in
            try await tx.disclosures.entries(leafIndexes: before..<(before + published))
        }
        let made = checkpoints.current
        var waits: [Double] = []
        for entry in rows {
            guard let index = entry.leafIndex, let at = entry.publishedAt, let included = made.first(where: { $0.size > index }) else { continue }
            waits.append(included.at.timeIntervalSince(at))
        }
        waits.sort()
        print(String(format: "disclosure publishing: %d entries in %.1f s: %.0f per second (%d publishers); %d checkpoints; all sequenced: %@",
                     published, elapsed, Double(published) / elapsed, publishers, made.count, rows.count == published ? "yes" : "NO"))
        print(String(format: "  wait for a signed checkpoint: p50 %.0f ms, p99 %.0f ms, max %.0f ms", percentile(waits, 0.5) * 1000,
                     percentile(waits, 0.99) * 1000, (waits.last ?? .nan) * 1000))
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
        let (pool, store, agency, log) = try await bench.open()
        let origin = DisclosureLog.origin(of: agency)
        var size = try await log.latestCheckpoint(agency: agency)?.size ?? 0
        let growStarted = ContinuousClock.now
        while size < leaves {
            // Entries as the publisher writes them, made in bulk by the server: the leaf is
            // the documented encoding, so every proof below verifies.
            let (count, start) = (min(100_000, leaves - size), size)
            try await pool.transaction(TransactionOptions(agencyID: agency.id)) { c in
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
            try await c.query("SELECT id FROM disclosure_entries WHERE leaf_index IS NOT NULL ORDER BY random() LIMIT $1", [samples]).map { try $0.decode(at: 0) }
        }
        var latencies: [Double] = []
        for id in ids {
            let started = ContinuousClock.now
            let (entry, proof, checkpoint) = try await log.entry(agency: agency, id: id)
            latencies.append((ContinuousClock.now - started) / .seconds(1))
            try DisclosureVerification.verifyEntry(entry, proof: proof ?? [], checkpointNote: checkpoint?.note ?? "", verifier: key)
        }
        latencies.sort()
        print(String(format: "inclusion proof at %d leaves (%d samples, each verified): p50 %.2f ms, p99 %.2f ms, max %.2f ms", size, latencies.count,
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
