import FazhiPostgres
import Foundation

/// The PostgreSQL server the tests use: `FAZHI_TEST_DATABASE_URL` when set (a role that
/// may create databases and roles), otherwise a throwaway cluster this process starts
/// and removes at exit. A bare `swift test` therefore needs only the server binaries.
public enum TestCluster {
    public static let admin: Task<PostgresConfiguration, any Error> = Task {
        if let url = ProcessInfo.processInfo.environment["FAZHI_TEST_DATABASE_URL"], !url.isEmpty {
            return PostgresConfiguration(connectionString: url, applicationName: "fazhi-tests")
        }
        let cluster = try startThrowawayCluster(name: "main")
        // Tests drop their databases while the server's role may still be leaving them.
        let superuser = try await PostgresConnection.connect(PostgresConfiguration(connectionString: cluster.superuserURL()))
        try await superuser.simpleQuery("GRANT pg_signal_backend TO \(EmbeddedCluster.ownerRole)")
        superuser.close()
        return PostgresConfiguration(connectionString: cluster.ownerURL(database: "postgres"), applicationName: "fazhi-tests")
    }

    /// A cluster of this process's own; removed when the process exits.
    /// `tcp`, given the cluster's directory, may put files there and says how to listen.
    public static func startThrowawayCluster(name: String, tcp: ((URL) throws -> EmbeddedCluster.TCP)? = nil) throws -> EmbeddedCluster {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("fazhi-test-\(getpid())-\(name)")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cluster = EmbeddedCluster(
            directory: directory, tcp: try tcp?(directory), durable: false,
            extraSettings: ["deadlock_timeout": "'100ms'", "max_connections": "300"])
        Cleanup.register(cluster)
        try cluster.start()
        return cluster
    }

    /// The migrated template every test database is cloned from, named by the
    /// migrations' checksums so a changed migration gets a fresh template.
    public static let template: Task<String, any Error> = Task {
        let admin = try await TestCluster.admin.value
        let migrations = try MigrationSource.load(from: sqlDirectory)
        let digest = migrations.map(\.checksum).joined().utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
        let name = "fazhi_tpl_" + String(digest, radix: 36)
        let connection = try await PostgresConnection.connect(admin.with(database: "postgres"))
        // Several test processes may share one server: take turns building the template.
        try await connection.query("SELECT pg_advisory_lock(4242)")
        let exists = try await connection.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]).count == 1
        if !exists {
            try await connection.simpleQuery("CREATE DATABASE \(name)")
            let owner = try await PostgresConnection.connect(admin.with(database: name))
            try await Migrator(migrations: migrations).migrate(on: owner)
            owner.close()
        }
        try await connection.query("SELECT pg_advisory_unlock(4242)")
        connection.close()
        return name
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now.
    public static func freeLoopbackPort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public static var sqlDirectory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("sql")
    }
}

/// Stops and deletes the throwaway clusters when the test process exits.
enum Cleanup {
    nonisolated(unsafe) private static var clusters: [EmbeddedCluster] = []
    private static let lock = NSLock()
    private static let installed: Void = { atexit { Cleanup.run() } }()

    static func register(_ cluster: EmbeddedCluster) {
        _ = installed
        lock.withLock { clusters.append(cluster) }
    }

    static func run() {
        for cluster in lock.withLock({ clusters }) { cluster.destroy() }
    }
}
