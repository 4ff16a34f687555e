import FazhiPostgres
import Foundation

/// A database of one test's own, cloned from the migrated template, dropped afterwards.
public struct TestDatabase: Sendable {
    public let name: String
    /// The owner of the database (the role migrations run as).
    public let owner: PostgresConfiguration
    /// The server's role, under row-level security.
    public let application: PostgresConfiguration

    public static func with<T: Sendable>(_ body: (TestDatabase) async throws -> T) async throws -> T {
        let database = try await create()
        do {
            let value = try await body(database)
            try await database.drop()
            return value
        } catch {
            try? await database.drop()
            throw error
        }
    }

    public static func create(template: String? = nil) async throws -> TestDatabase {
        let admin = try await TestCluster.admin.value
        let source: String
        if let template { source = template } else { source = try await TestCluster.template.value }
        let name = "fazhi_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let connection = try await PostgresConnection.connect(admin.with(database: "postgres"))
        try await connection.simpleQuery("CREATE DATABASE \(name) TEMPLATE \(source)")
        connection.close()
        return TestDatabase(
            name: name,
            owner: admin.with(database: name),
            application: admin.with(database: name, user: ApplicationRole.name))
    }

    /// An empty database: no migrations applied.
    public static func createEmpty() async throws -> TestDatabase {
        try await create(template: "template0")
    }

    public func drop() async throws {
        let admin = try await TestCluster.admin.value
        let connection = try await PostgresConnection.connect(admin.with(database: "postgres"))
        defer { connection.close() }
        // Backends of closed connections may still be on their way out.
        for attempt in 1...20 {
            do {
                try await connection.simpleQuery("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
                return
            } catch let error as PostgresError where attempt < 20 && (error.sqlState == "42501" || error.sqlState == "55006") {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// The application role's URL as one string, for a server started as another process.
    /// Needs a `postgresql://` URL on the cluster side (the throwaway cluster gives one).
    public var applicationURL: String {
        get throws {
            guard var components = URLComponents(string: application.connectionString), components.scheme?.hasPrefix("postgres") == true else {
                throw PostgresError(code: .invalidParameter, message: "the test server's address is not a postgresql:// URL")
            }
            components.user = ApplicationRole.name
            components.password = nil
            components.path = "/\(name)"
            return components.string!
        }
    }

    /// The owner's URL as one string (for pg_dump and other tools).
    public var ownerURL: String {
        get throws {
            guard var components = URLComponents(string: owner.connectionString), components.scheme?.hasPrefix("postgres") == true else {
                throw PostgresError(code: .invalidParameter, message: "the test server's address is not a postgresql:// URL")
            }
            components.path = "/\(name)"
            return components.string!
        }
    }

    public func ownerConnection() async throws -> PostgresConnection { try await PostgresConnection.connect(owner) }
    public func applicationConnection() async throws -> PostgresConnection { try await PostgresConnection.connect(application) }
}

extension PostgresConnection {
    /// The first column of the first row.
    public func scalar<T: PostgresDecodable>(_ sql: String, _ parameters: [any PostgresEncodable] = [], as type: T.Type = T.self) async throws -> T {
        let rows = try await query(sql, parameters)
        guard let row = rows.first else { throw PostgresError(code: .decoding, message: "no row for \(sql)") }
        return try row.decode(type, at: 0)
    }
}

/// Lets two tasks meet: each `arrive` waits until `parties` tasks have arrived.
public actor Barrier {
    private let parties: Int
    private var arrived = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(parties: Int) { self.parties = parties }

    public func arrive() async {
        arrived += 1
        if arrived >= parties {
            for waiter in waiting { waiter.resume() }
            waiting.removeAll()
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }
}

/// A value shared between tasks of a test.
public final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    public init(_ value: Value) { self.value = value }
    public func withLock<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&value) } }
    public var current: Value { withLock { $0 } }
}

/// Runs the bodies concurrently and returns the errors they threw.
public func runConcurrently(_ bodies: [@Sendable () async throws -> Void]) async -> [any Error] {
    await withTaskGroup(of: (any Error)?.self) { group in
        for body in bodies {
            group.addTask {
                do {
                    try await body()
                    return nil
                } catch { return error }
            }
        }
        var errors: [any Error] = []
        for await error in group { if let error { errors.append(error) } }
        return errors
    }
}
