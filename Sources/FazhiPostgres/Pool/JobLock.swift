import Foundation

/// Runs a scheduled job on one server at a time: a session-level advisory lock, taken
/// on a connection of its own and held while the job runs. A server that finds it taken
/// skips the run (the other server is doing it).
public enum JobLock {
    /// Runs `body` if no other server holds the lock named `job`; returns nil otherwise.
    public static func run<T: Sendable>(_ job: String, configuration: PostgresConfiguration, _ body: () async throws -> T) async throws -> T? {
        let connection = try await PostgresConnection.connect(configuration)
        let key = Int64(bitPattern: job.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 })
        guard try await connection.query("SELECT pg_try_advisory_lock($1)", [key])[0].decode(Bool.self, at: 0) else {
            connection.close()
            return nil
        }
        do {
            let value = try await body()
            _ = try? await connection.query("SELECT pg_advisory_unlock($1)", [key])
            connection.close()
            return value
        } catch {
            connection.close()  // closing the session releases the lock too
            throw error
        }
    }
}
