import Foundation

/// Where and how to connect. The connection string is a `postgresql://` URL or a libpq
/// conninfo string; libpq parses both, so every libpq option (sslmode, sslrootcert,
/// host lists, service files) works as documented for libpq.
public struct PostgresConfiguration: Sendable {
    public var connectionString: String
    /// Reported in `pg_stat_activity`, so operators can tell Fazhi's connections apart.
    public var applicationName: String
    public var connectTimeoutSeconds: Int
    /// Overrides the URL's `sslmode` when set (`disable`, `require`, `verify-ca`, `verify-full`…).
    public var sslMode: String?
    /// Overrides the URL's `sslrootcert`: the CA file that `verify-full` checks against.
    public var sslRootCertificatePath: String?
    /// A server-side limit for every statement on these connections; nil leaves the server's.
    public var statementTimeoutMilliseconds: Int?
    /// Override the connection string's database and user (e.g. one database per test).
    public var database: String?
    public var user: String?

    public static let defaultEnvironmentVariable = "FAZHI_DATABASE_URL"

    public init(
        connectionString: String,
        applicationName: String = "fazhi",
        connectTimeoutSeconds: Int = 10,
        sslMode: String? = nil,
        sslRootCertificatePath: String? = nil,
        statementTimeoutMilliseconds: Int? = nil
    ) {
        self.connectionString = connectionString
        self.applicationName = applicationName
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.sslMode = sslMode
        self.sslRootCertificatePath = sslRootCertificatePath
        self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
    }

    /// The same server, another database or user.
    public func with(database: String? = nil, user: String? = nil) -> PostgresConfiguration {
        var copy = self
        if let database { copy.database = database }
        if let user { copy.user = user }
        return copy
    }

    /// Reads the connection string from `variable` (by default `FAZHI_DATABASE_URL`).
    public static func fromEnvironment(
        _ variable: String = defaultEnvironmentVariable,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> PostgresConfiguration {
        guard let value = environment[variable], !value.isEmpty else {
            throw PostgresError(
                code: .connectionFailed,
                message: "\(variable) is not set; it must hold a postgresql:// URL or a libpq conninfo string")
        }
        return PostgresConfiguration(connectionString: value)
    }

    /// libpq keywords in order; later ones override what the connection string says.
    var keywords: [(String, String)] {
        var pairs: [(String, String)] = [
            ("dbname", connectionString),
            ("application_name", applicationName),
            ("client_encoding", "UTF8"),
            ("connect_timeout", String(connectTimeoutSeconds)),
        ]
        // Only the first dbname is expanded as a connection string; a later one names the database.
        if let database { pairs.append(("dbname", database)) }
        if let user { pairs.append(("user", user)) }
        if let sslMode { pairs.append(("sslmode", sslMode)) }
        if let sslRootCertificatePath { pairs.append(("sslrootcert", sslRootCertificatePath)) }
        if let statementTimeoutMilliseconds {
            pairs.append(("options", "-c statement_timeout=\(statementTimeoutMilliseconds)"))
        }
        return pairs
    }
}
