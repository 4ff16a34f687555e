import FazhiClientVerbs
import FazhiPostgres
import Foundation

/// What `fazhi db start` leaves in `.fazhi/db.json`, so later commands in the same
/// checkout find the embedded cluster without any configuration.
struct DevelopmentState: Codable {
    var clusterDirectory: String
    var ownerURL: String
    var applicationURL: String

    static var stateDirectory: URL { StateDirectory.url }

    static var file: URL { stateDirectory.appendingPathComponent("db.json") }

    static func read() -> DevelopmentState? {
        guard let data = FileManager.default.contents(atPath: file.path) else { return nil }
        return try? JSONDecoder().decode(DevelopmentState.self, from: data)
    }

    func write() throws {
        try FileManager.default.createDirectory(at: Self.stateDirectory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(self).write(to: Self.file, options: .atomic)
    }

    var cluster: EmbeddedCluster { EmbeddedCluster(directory: URL(fileURLWithPath: clusterDirectory)) }
}

/// The owner's connection: `--database-url`, else FAZHI_OWNER_DATABASE_URL, else the
/// embedded cluster of this checkout.
func ownerConfiguration(explicit: String?) throws -> PostgresConfiguration {
    if let explicit { return PostgresConfiguration(connectionString: explicit, applicationName: "fazhi-migrate") }
    if let url = ProcessInfo.processInfo.environment["FAZHI_OWNER_DATABASE_URL"], !url.isEmpty {
        return PostgresConfiguration(connectionString: url, applicationName: "fazhi-migrate")
    }
    if let state = DevelopmentState.read() {
        return PostgresConfiguration(connectionString: state.ownerURL, applicationName: "fazhi-migrate")
    }
    throw CommandFailure("没有数据库地址 / no database: pass --database-url, set FAZHI_OWNER_DATABASE_URL, or run `fazhi db start` first")
}
