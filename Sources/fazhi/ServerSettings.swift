import Configuration
import FazhiClientVerbs
import FazhiGateway
import FazhiPostgres
import FazhiRules
import FazhiUseCases
import Foundation

/// What `fazhi serve` needs, from environment variables (`FAZHI_` + the key in capitals,
/// dots as underscores: `FAZHI_GRPC_PORT`) over an optional JSON file (`--config`), over
/// safe defaults. docs/OPERATOR.md lists every key.
struct ServerSettings {
    var databaseURL: String
    var poolSize: Int
    var gateway: GatewayConfiguration
    /// Prometheus metrics over plain HTTP; nil turns the listener off.
    var metricsHost = "127.0.0.1"
    var metricsPort: Int? = 9464
    /// Where evidence files are kept; nil refuses uploads.
    var evidenceDirectory: String?
    /// How often the evidence store is swept, and its graces (docs/OPERATOR.md).
    var evidenceSweepMinutes = 10
    var abandonedUploadMinutes = 10
    var unreferencedEvidenceMinutes = 60
    /// How long SIGTERM waits for calls in flight before cancelling them.
    var shutdownGraceSeconds = 10
    /// The public HTTPS portal (the server's certificate); nil turns it off.
    var portalHost = "127.0.0.1"
    var portalPort: Int? = 8443
    /// Where the portal's list pages and log tiles read (a standby: libpq's
    /// `target_session_attrs=prefer-standby`); nil: the main pool.
    var portalDatabaseURL: String?
    /// When the daily sweeps run (China Standard Time); nil: only by hand (`fazhi jobs`).
    var dailyJobs: DailySchedule? = try? DailySchedule(timeOfDay: defaultDailyJobsTime)
    static let defaultDailyJobsTime = "02:00"

    static func load(configFile: String?) async throws -> ServerSettings {
        var providers: [any ConfigProvider] = [EnvironmentVariablesProvider().prefixKeys(with: "fazhi")]
        if let configFile {
            providers.append(try await FileProvider<JSONSnapshot>(filePath: .init(configFile)))
        }
        let config = ConfigReader(providers: providers)
        guard let databaseURL = config.string(forKey: "database.url", isSecret: true) else {
            throw CommandFailure("缺少数据库地址 / no database URL: set FAZHI_DATABASE_URL or database.url in the config file")
        }
        guard let certificate = config.string(forKey: "tls.certificate"), let key = config.string(forKey: "tls.key") else {
            throw CommandFailure("缺少 TLS 证书 / TLS is required: set tls.certificate and tls.key (FAZHI_TLS_CERTIFICATE, FAZHI_TLS_KEY)")
        }
        let authorities = try agencyPaths(config, key: "tls.client_authorities", example: "AGENCY=path/to/ca.pem")
        let authorityKeys = try agencyPaths(config, key: "tls.client_authority_keys", example: "AGENCY=path/to/ca-key.pem")
        let secrets = try serverSecrets(config)
        let mutualTLSPort = config.int(forKey: "grpc.mtls_port", default: 7444)
        let metricsPort = config.int(forKey: "metrics.port", default: 9464)
        let portalPort = config.int(forKey: "portal.port", default: 8443)
        let ioThreads = config.int(forKey: "grpc.io_threads", default: GatewayConfiguration.defaultIOThreads)
        guard (1...256).contains(ioThreads) else {
            throw CommandFailure("grpc.io_threads 须在 1 至 256 之间 / grpc.io_threads must be between 1 and 256, got \(ioThreads)")
        }
        let poolSize = config.int(forKey: "database.pool_size", default: 16)
        guard (1...1000).contains(poolSize) else {
            throw CommandFailure("database.pool_size 须在 1 至 1000 之间 / database.pool_size must be between 1 and 1000, got \(poolSize)")
        }
        // A quarter of the pool by default: stalled exports can never hold the rest.
        let exports = config.int(forKey: "grpc.max_exports", default: max(1, poolSize / 4))
        guard (1...poolSize).contains(exports) else {
            throw CommandFailure("grpc.max_exports 须在 1 至连接池大小之间 / grpc.max_exports must be between 1 and database.pool_size, got \(exports)")
        }
        let idleSeconds = config.int(forKey: "grpc.stream_idle_seconds", default: 30)
        guard (1...3600).contains(idleSeconds) else {
            throw CommandFailure("grpc.stream_idle_seconds 须在 1 至 3600 之间 / grpc.stream_idle_seconds must be between 1 and 3600, got \(idleSeconds)")
        }
        var gateway = GatewayConfiguration(
            host: config.string(forKey: "grpc.host", default: "127.0.0.1"),
            port: config.int(forKey: "grpc.port", default: 7443),
            mutualTLSPort: authorities.isEmpty || mutualTLSPort < 0 ? nil : mutualTLSPort,
            certificateChainPath: certificate, privateKeyPath: key,
            clientAuthorityPaths: authorities, clientAuthorityKeyPaths: authorityKeys, secrets: secrets,
            scrypt: ScryptParameters(
                logN: config.int(forKey: "scrypt.log_n", default: ScryptParameters.standard.logN),
                blockSize: config.int(forKey: "scrypt.r", default: ScryptParameters.standard.blockSize),
                parallelism: config.int(forKey: "scrypt.p", default: ScryptParameters.standard.parallelism)),
            evidenceMaximumBytes: config.int(forKey: "evidence.max_bytes", default: 256 * 1024 * 1024),
            ioThreads: ioThreads)
        gateway.streams = StreamLimits(maximum: exports, idleTimeout: .seconds(idleSeconds))
        gateway.trustedProxies = Set(config.stringArray(forKey: "grpc.trusted_proxies", default: []))
        gateway.connections = ConnectionLimits(
            maximum: try bounded(config, "grpc.max_connections", default: 1000, 1...1_000_000),
            maximumPerAddress: try bounded(config, "grpc.max_connections_per_address", default: 100, 0...1_000_000),
            handshakeTimeout: .seconds(try bounded(config, "grpc.handshake_timeout_seconds", default: 10, 1...600)),
            idleTimeout: .seconds(try bounded(config, "grpc.idle_timeout_seconds", default: 300, 1...86_400)))
        return ServerSettings(
            databaseURL: databaseURL,
            poolSize: poolSize,
            gateway: gateway,
            metricsHost: config.string(forKey: "metrics.host", default: "127.0.0.1"),
            metricsPort: metricsPort < 0 ? nil : metricsPort,
            evidenceDirectory: config.string(forKey: "evidence.directory"),
            evidenceSweepMinutes: try minutes(config, "evidence.sweep_minutes", default: 10),
            abandonedUploadMinutes: try minutes(config, "evidence.abandoned_upload_minutes", default: 10),
            unreferencedEvidenceMinutes: try minutes(config, "evidence.unreferenced_minutes", default: 60),
            shutdownGraceSeconds: try bounded(config, "server.shutdown_grace_seconds", default: 10, 1...3600),
            portalHost: config.string(forKey: "portal.host", default: "127.0.0.1"),
            portalPort: portalPort < 0 ? nil : portalPort,
            portalDatabaseURL: config.string(forKey: "portal.database_url", isSecret: true),
            dailyJobs: try dailySchedule(config))
    }

    /// `jobs.daily_at`: "HH:MM" in China Standard Time (default 02:00), or "off".
    private static func dailySchedule(_ config: ConfigReader) throws -> DailySchedule? {
        let text = config.string(forKey: "jobs.daily_at", default: defaultDailyJobsTime)
        if text == "off" { return nil }
        do {
            return try DailySchedule(timeOfDay: text)
        } catch {
            throw CommandFailure("jobs.daily_at 须写作 HH:MM（中国标准时间）或 off / jobs.daily_at must be HH:MM (China Standard Time) or off, got \(text)")
        }
    }

    /// An integer setting within `range`.
    private static func bounded(_ config: ConfigReader, _ key: String, default value: Int, _ range: ClosedRange<Int>) throws -> Int {
        let number = config.int(forKey: ConfigKey(key), default: value)
        guard range.contains(number) else {
            throw CommandFailure(
                "\(key) 须在 \(range.lowerBound) 至 \(range.upperBound) 之间 / \(key) must be between \(range.lowerBound) and \(range.upperBound), got \(number)"
            )
        }
        return number
    }

    /// A number of minutes from 1 to a week.
    private static func minutes(_ config: ConfigReader, _ key: String, default value: Int) throws -> Int {
        let minutes = config.int(forKey: ConfigKey(key), default: value)
        guard (1...10_080).contains(minutes) else {
            throw CommandFailure("\(key) 须在 1 至 10080 分钟之间 / \(key) must be 1 to 10080 minutes, got \(minutes)")
        }
        return minutes
    }

    /// `AGENCY=path` entries of a list setting, by agency.
    private static func agencyPaths(_ config: ConfigReader, key: String, example: String) throws -> [String: String] {
        var paths: [String: String] = [:]
        for entry in config.stringArray(forKey: ConfigKey(key), default: []) {
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw CommandFailure("\(key) entries are \(example), got \"\(entry)\"") }
            paths[String(parts[0])] = String(parts[1])
        }
        return paths
    }

    /// The server secret, from `secrets.key` or the file `secrets.key_file` names. Without
    /// it no personal data can be sealed, so the server does not start.
    static func serverSecrets(_ config: ConfigReader) throws -> ServerSecrets {
        var secret = config.string(forKey: "secrets.key", isSecret: true)
        if secret == nil, let path = config.string(forKey: "secrets.key_file") {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw CommandFailure("无法读取服务器密钥文件 / cannot read secrets.key_file \(path)")
            }
            secret = text
        }
        guard let secret else {
            throw CommandFailure(
                "缺少服务器密钥 / no server secret: set FAZHI_SECRETS_KEY (or secrets.key_file) to 32 random bytes in base64, e.g. from `fazhi secrets generate`"
            )
        }
        do {
            return try ServerSecrets(secretBase64: secret)
        } catch let error as DomainError {
            throw CommandFailure("\(error.messageZH) / \(error.messageEN)")
        }
    }
}
