import Foundation

/// A private PostgreSQL cluster for development and tests, run with the system's
/// PostgreSQL binaries (`pg_config --bindir`).
///
/// It listens on a Unix socket inside its own directory, which only its owner can enter,
/// and optionally on a loopback TCP port. Local connections are trusted: it is a
/// development tool, never a production server. As root it runs PostgreSQL as the
/// `postgres` user (PostgreSQL refuses to run as root), so its directory must be one that
/// user can reach; `resolveDirectory` picks one.
public struct EmbeddedCluster: Sendable {
    public struct TCP: Sendable {
        public var port: Int
        /// Serve TLS with this certificate and key (PEM files).
        public var certificatePath: String?
        public var keyPath: String?
        public init(port: Int, certificatePath: String? = nil, keyPath: String? = nil) {
            self.port = port
            self.certificatePath = certificatePath
            self.keyPath = keyPath
        }
    }

    public enum ClusterError: Error, CustomStringConvertible {
        case binariesMissing(searched: String)
        case failed(String)

        public var description: String {
            switch self {
            case .binariesMissing(let searched):
                return
                    "找不到 PostgreSQL 服务端程序 / PostgreSQL server binaries not found in \(searched); install them with `apt-get install -y postgresql` (Debian package postgresql)"
            case .failed(let reason):
                return "嵌入式数据库出错 / embedded PostgreSQL: \(reason)"
            }
        }
    }

    public static let ownerRole = "fazhi_owner"
    public static let databaseName = "fazhi"
    static let serverUser = "postgres"

    public let directory: URL
    public var port: Int
    public var tcp: TCP?
    /// Faster and unsafe on a crash: for throwaway test clusters only.
    public var durable: Bool
    public var extraSettings: [String: String]

    public init(directory: URL, port: Int = 5432, tcp: TCP? = nil, durable: Bool = true, extraSettings: [String: String] = [:]) {
        self.directory = directory
        self.port = port
        self.tcp = tcp
        self.durable = durable
        self.extraSettings = extraSettings
    }

    var dataDirectory: URL { directory.appendingPathComponent("data") }
    public var socketDirectory: URL { directory.appendingPathComponent("run") }
    public var logFile: URL { directory.appendingPathComponent("server.log") }

    /// The owner's URL (migrations, operator commands) for `database`.
    public func ownerURL(database: String = databaseName) -> String { url(user: Self.ownerRole, database: database) }
    /// The URL the server uses: the application role.
    public func applicationURL(database: String = databaseName) -> String { url(user: ApplicationRole.name, database: database) }
    /// The superuser's URL, for bootstrapping and tests.
    public func superuserURL(database: String = "postgres") -> String { url(user: Self.serverUser, database: database) }

    func url(user: String, database: String) -> String {
        let host = socketDirectory.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? socketDirectory.path
        return "postgresql://\(user)@/\(database)?host=\(host)&port=\(listeningPort)"
    }

    /// The directory holding the PostgreSQL server programs.
    public static func binaryDirectory() throws -> URL {
        var candidates: [String] = []
        if let output = try? Subprocess.run("/usr/bin/env", ["pg_config", "--bindir"], allowFailure: true), output.status == 0 {
            candidates.append(output.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        if let versions = try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql") {
            for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
                candidates.append("/usr/lib/postgresql/\(version)/bin")
            }
        }
        for candidate in candidates
        where FileManager.default.isExecutableFile(atPath: candidate + "/initdb")
            && FileManager.default.isExecutableFile(atPath: candidate + "/pg_ctl")
        {
            return URL(fileURLWithPath: candidate)
        }
        throw ClusterError.binariesMissing(searched: candidates.isEmpty ? "pg_config --bindir" : candidates.joined(separator: ", "))
    }

    /// `preferred` when the server user can reach it and its socket path fits; otherwise a
    /// directory under the system temporary directory, named after `preferred`.
    public static func resolveDirectory(preferred: URL) throws -> URL {
        if canHost(preferred) { return preferred }
        let tag = String(
            preferred.standardizedFileURL.path.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }, radix: 36)
        let fallback = FileManager.default.temporaryDirectory.appendingPathComponent("fazhi-\(tag)")
        guard canHost(fallback) else {
            throw ClusterError.failed("neither \(preferred.path) nor \(fallback.path) can hold the cluster")
        }
        return fallback
    }

    private static func canHost(_ directory: URL) -> Bool {
        // A Unix socket path is limited to 107 bytes.
        guard (directory.path + "/run/.s.PGSQL.65535").utf8.count < 100 else { return false }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try handOver(directory)
        } catch { return false }
        guard getuid() == 0 else { return true }
        return
            (try? Subprocess.run("/usr/bin/test", ["-w", directory.path, "-a", "-x", directory.path], asUser: serverUser, allowFailure: true).status)
            == 0
    }

    /// As root, gives `path` to the server user; otherwise leaves it as it is.
    static func handOver(_ path: URL) throws {
        guard getuid() == 0 else { return }
        guard let account = getpwnam(serverUser) else {
            throw ClusterError.failed("running as root needs a `\(serverUser)` user (it comes with Debian's postgresql package)")
        }
        guard chown(path.path, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
            throw ClusterError.failed("cannot hand \(path.path) to \(serverUser): \(String(cString: strerror(errno)))")
        }
    }

    public var isInitialized: Bool {
        FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path)
    }

    public func isRunning() throws -> Bool {
        guard isInitialized else { return false }
        let bin = try Self.binaryDirectory()
        return try Subprocess.run(bin.path + "/pg_ctl", ["-D", dataDirectory.path, "status"], asUser: Self.serverUser, allowFailure: true).status == 0
    }

    /// Initializes the cluster on first use, starts it, and makes sure the owner role and
    /// the `fazhi` database exist. Starting a running cluster is a no-op.
    public func start() throws {
        let bin = try Self.binaryDirectory()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Self.handOver(directory)
        if !isInitialized { try initialize(bin: bin) }
        if try !isRunning() {
            try Subprocess.run(
                bin.path + "/pg_ctl", ["-D", dataDirectory.path, "-l", logFile.path, "-w", "-t", "60", "start"], asUser: Self.serverUser)
        }
        try bootstrap(bin: bin)
    }

    public func stop() throws {
        guard try isRunning() else { return }
        let bin = try Self.binaryDirectory()
        try Subprocess.run(bin.path + "/pg_ctl", ["-D", dataDirectory.path, "-m", "fast", "-w", "stop"], asUser: Self.serverUser)
    }

    /// Stops at once and deletes everything: for throwaway test clusters.
    public func destroy() {
        if let bin = try? Self.binaryDirectory() {
            _ = try? Subprocess.run(
                bin.path + "/pg_ctl", ["-D", dataDirectory.path, "-m", "immediate", "-w", "stop"], asUser: Self.serverUser, allowFailure: true)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private func initialize(bin: URL) throws {
        for sub in [socketDirectory] {
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            try Self.handOver(sub)
        }
        var arguments = ["-D", dataDirectory.path, "-U", Self.serverUser, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"]
        if !durable { arguments.append("--no-sync") }
        try Subprocess.run(bin.path + "/initdb", arguments, asUser: Self.serverUser)
        var settings: [String: String] = [
            "port": String(port),
            "unix_socket_directories": "'\(socketDirectory.path)'",
            "unix_socket_permissions": "0700",
            "listen_addresses": tcp == nil ? "''" : "'127.0.0.1'",
            "max_connections": "200",
            "logging_collector": "off",
            "log_min_messages": "warning",
        ]
        if let tcp {
            settings["port"] = String(tcp.port)
            if let certificate = tcp.certificatePath, let key = tcp.keyPath {
                settings["ssl"] = "on"
                settings["ssl_cert_file"] = "'\(certificate)'"
                settings["ssl_key_file"] = "'\(key)'"
            }
        }
        if !durable {
            settings["fsync"] = "off"
            settings["synchronous_commit"] = "off"
            settings["full_page_writes"] = "off"
        }
        settings.merge(extraSettings) { _, new in new }
        let text =
            "\n# Fazhi embedded cluster\n" + settings.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: "\n") + "\n"
        let configuration = dataDirectory.appendingPathComponent("postgresql.conf")
        let handle = try FileHandle(forWritingTo: configuration)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    /// The port the server actually listens on (the TCP port when TCP is on).
    public var listeningPort: Int { tcp?.port ?? port }

    private func bootstrap(bin: URL) throws {
        let psql = bin.path + "/psql"
        let connection = [
            "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", socketDirectory.path, "-p", String(listeningPort), "-U", Self.serverUser, "-d", "postgres",
        ]
        try Subprocess.run(
            psql,
            connection + [
                "-c",
                """
                DO $$ BEGIN
                  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(Self.ownerRole)') THEN
                    CREATE ROLE \(Self.ownerRole) LOGIN CREATEROLE CREATEDB;
                  END IF;
                END $$;
                """,
            ])
        let exists = try Subprocess.run(psql, connection + ["-tA", "-c", "SELECT 1 FROM pg_database WHERE datname = '\(Self.databaseName)'"])
        if !exists.output.contains("1") {
            try Subprocess.run(psql, connection + ["-c", "CREATE DATABASE \(Self.databaseName) OWNER \(Self.ownerRole)"])
        }
    }
}
