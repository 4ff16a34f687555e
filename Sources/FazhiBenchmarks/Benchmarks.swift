import ArgumentParser
import FazhiPostgres
import FazhiRules
import FazhiUseCases
import Foundation

@main
struct Benchmarks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fazhi-bench",
        abstract: "Measure the PostgreSQL client; bench/postgres.sh runs these beside pgbench and psql.",
        subcommands: [
            PointSelect.self, CopyIn.self, CopyOut.self, Inserts.self, Authenticate.self, CaseSteps.self, DisclosurePublish.self,
            DisclosureProofs.self, AnnualStatisticsBench.self,
        ]
    )
}

struct Connection: ParsableArguments {
    @Option(help: "postgresql:// URL or conninfo.")
    var url: String

    var configuration: PostgresConfiguration {
        PostgresConfiguration(connectionString: url, applicationName: "fazhi-bench")
    }
}

/// One line per COPY run: rows, size, rate, and this process's peak memory.
func reportCopy(_ label: String, rows: Int, bytes: Int, since started: ContinuousClock.Instant, peakBefore: Int) {
    let seconds = (ContinuousClock.now - started) / .seconds(1)
    let peak = peakResidentBytes()
    print(
        String(
            format: "%@: %d rows, %@ in %.1f s: %.0f MiB/s; peak RSS %@ (growth %@)",
            label, rows, mebibytes(bytes), seconds, Double(bytes) / 1_048_576 / seconds, mebibytes(peak), mebibytes(peak - peakBefore)))
}

/// Peak resident memory of this process so far (VmHWM), in bytes.
func peakResidentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return 0 }
    return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
}

/// CPU time this process has used so far (user and system), in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Runs `tasks` loops side by side for `seconds`, each with its own `state`, repeating
/// `step`; returns how many steps ran and the seconds it took.
func runSideBySide<State>(
    tasks: Int, seconds: Int, executor: (() -> any TaskExecutor)?,
    state: @escaping @Sendable () -> State, step: @escaping @Sendable (inout State) async throws -> Void
) async throws -> (steps: Int, seconds: Double) {
    let deadline = ContinuousClock.now + .seconds(seconds)
    let started = ContinuousClock.now
    let total = try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<tasks {
            group.addTask(executorPreference: executor?()) {
                var local = state()
                var count = 0
                while ContinuousClock.now < deadline {
                    try await step(&local)
                    count += 1
                }
                return count
            }
        }
        return try await group.reduce(0, +)
    }
    return (total, (ContinuousClock.now - started) / .seconds(1))
}

func mebibytes(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }

/// The query of `pgbench -S`, through the pool, from concurrent tasks.
struct PointSelect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "SELECT abalance FROM pgbench_accounts WHERE aid = $1, like pgbench -S.")
    @OptionGroup var connection: Connection
    @Option(help: "Concurrent tasks (and pool size).") var tasks = 16
    @Option(help: "Seconds to run.") var seconds = 30
    @Option(help: "pgbench scale factor of the data (100 000 accounts each).") var scale = 10
    @Flag(help: "Run the tasks on the PostgreSQL event loops (PostgresEventLoop.next()).") var eventLoop = false

    func run() async throws {
        let pool = ConnectionPool(
            configuration: connection.configuration,
            options: .init(maximumConnections: tasks))
        let accounts = 100_000 * scale
        // Warm every connection (and its prepared statement) before the clock starts.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<tasks {
                group.addTask(executorPreference: eventLoop ? PostgresEventLoop.next() : nil) {
                    for _ in 0..<50 { try await pool.query("SELECT abalance FROM pgbench_accounts WHERE aid = $1", [1]) }
                }
            }
            try await group.waitForAll()
        }
        // A cheap generator per task, like pgbench's own: the kernel's would add a syscall per query.
        let cpuBefore = processCPUSeconds()
        let (total, elapsed) = try await runSideBySide(
            tasks: tasks, seconds: seconds, executor: eventLoop ? { PostgresEventLoop.next() } : nil,
            state: { SplitMix64(seed: UInt64.random(in: 1...UInt64.max)) }
        ) { generator in
            let aid = Int32.random(in: 1...Int32(accounts), using: &generator)
            let balance: Int32 = try await pool.withConnection { connection in
                try await connection.query("SELECT abalance FROM pgbench_accounts WHERE aid = $1", [aid])[0].decode(at: 0)
            }
            _ = balance
        }
        // Throughput swings with the machine; the client's CPU per query is the steadier measure.
        let cpuPerQuery = (processCPUSeconds() - cpuBefore) / Double(max(total, 1)) * 1_000_000
        print(
            String(
                format: "point-select: %d queries in %.1f s: %.0f per second (%d tasks), client CPU %.1f µs per query",
                total, elapsed, Double(total) / elapsed, tasks, cpuPerQuery))
        await pool.close()
    }
}

struct CopyIn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "COPY a file into a table through copyIn, in 1 MiB chunks.")
    @OptionGroup var connection: Connection
    @Option(help: "Text-format COPY data.") var file: String
    @Option(help: "Target table.") var table: String

    func run() async throws {
        let c = try await PostgresConnection.connect(connection.configuration)
        guard let handle = FileHandle(forReadingAtPath: file) else { throw ValidationError("cannot read \(file)") }
        let before = peakResidentBytes()
        let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        let started = ContinuousClock.now
        let rows = try await c.copyIn("COPY \(table) FROM STDIN", from: FileChunks(handle: handle))
        reportCopy("copy-in", rows: rows, bytes: size, since: started, peakBefore: before)
        c.close()
    }
}

struct CopyOut: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "COPY a table to a file through copyOut.")
    @OptionGroup var connection: Connection
    @Option(help: "Output file.") var file: String
    @Option(help: "Source table.") var table: String

    func run() async throws {
        let c = try await PostgresConnection.connect(connection.configuration)
        // An existing file (a device such as /dev/null among them) is written as it is:
        // createFile would replace it with a new regular file.
        if !FileManager.default.fileExists(atPath: file) { _ = FileManager.default.createFile(atPath: file, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: file) else { throw ValidationError("cannot write \(file)") }
        let before = peakResidentBytes()
        var bytes = 0
        let started = ContinuousClock.now
        let rows = try await c.copyOut("COPY \(table) TO STDOUT") { chunk in
            bytes += chunk.count
            try handle.write(contentsOf: chunk)
        }
        try handle.close()
        reportCopy("copy-out", rows: rows, bytes: bytes, since: started, peakBefore: before)
        c.close()
    }
}

struct Inserts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Insert rows one by one, then through pipeline mode; compare.")
    @OptionGroup var connection: Connection
    @Option(help: "Rows per run.") var rows = 20_000

    func run() async throws {
        let c = try await PostgresConnection.connect(connection.configuration)
        try await c.simpleQuery(
            "DROP TABLE IF EXISTS bench_inserts; CREATE UNLOGGED TABLE bench_inserts (id int PRIMARY KEY, label text NOT NULL, at timestamptz NOT NULL)"
        )
        let sql = "INSERT INTO bench_inserts (id, label, at) VALUES ($1, $2, $3)"
        let now = Date()
        var started = ContinuousClock.now
        try await c.transaction { c in
            for id in 0..<rows { try await c.execute(sql, [id, "行 \(id)", now]) }
        }
        let oneByOne = (ContinuousClock.now - started) / .seconds(1)
        try await c.simpleQuery("TRUNCATE bench_inserts")
        let sets: [[any PostgresEncodable]] = (0..<rows).map { [$0, "行 \($0)", now] }
        started = ContinuousClock.now
        _ = try await c.transaction { c in try await c.pipeline(sql, parameterSets: sets) }
        let pipelined = (ContinuousClock.now - started) / .seconds(1)
        print(
            String(
                format: "inserts: %d rows one by one %.2f s (%.0f/s); pipeline %.2f s (%.0f/s); %.1fx",
                rows, oneByOne, Double(rows) / oneByOne, pipelined, Double(rows) / pipelined, oneByOne / pipelined))
        try await c.simpleQuery("DROP TABLE bench_inserts")
        c.close()
    }
}

/// A file read in 1 MiB chunks on demand.
struct FileChunks: AsyncSequence, @unchecked Sendable {
    let handle: FileHandle
    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle
        mutating func next() async throws -> [UInt8]? {
            guard let data = try handle.read(upToCount: 1 << 20), !data.isEmpty else { return nil }
            return Array(data)
        }
    }
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(handle: handle) }
}

/// What WhoAmI asks of the database, without gRPC: authenticate a bearer token, then
/// append the call's audit row, from concurrent tasks.
struct Authenticate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "IdentityWork.authenticate plus an audit row, like one WhoAmI call.")
    @OptionGroup var connection: Connection
    @Option(help: "Agency code.") var agency = "411202-MZ"
    @Option(help: "Username.") var username = "admin"
    @Option(help: "Password.") var password: String
    @Option(help: "Concurrent tasks.") var tasks = 32
    @Option(help: "Pool size.") var poolSize = 16
    @Option(help: "Seconds to run.") var seconds = 10

    func run() async throws {
        let pool = ConnectionPool(configuration: connection.configuration, options: .init(maximumConnections: poolSize))
        let store = PostgresTenantStore(pool: pool)
        let identity = IdentityWork(store: store, scrypt: ScryptParameters(logN: 10))
        @Sendable func call(_ method: String) -> CallAudit { CallAudit(method: method, peer: "bench", requestID: "bench") { 0 } }
        let signedIn = try await identity.login(
            agencyCode: agency, username: username, password: password, peer: "bench", call: call("login"), now: Date())
        let token = signedIn.token.text
        let (total, elapsed) = try await runSideBySide(tasks: tasks, seconds: seconds, executor: nil, state: {}) { _ in
            let audit = call("fazhi.v1.AuthService/WhoAmI")
            let caller = try await identity.authenticate(token: token, call: audit, now: Date())
            try await store.appendAudit(audit.record(status: "OK", reason: nil, now: Date()), agency: caller.agency.id)
        }
        print(
            String(
                format: "authenticate+audit: %d calls in %.1f s: %.0f per second (%d tasks, pool %d)", total, elapsed, Double(total) / elapsed, tasks,
                poolSize))
        await pool.close()
    }
}
