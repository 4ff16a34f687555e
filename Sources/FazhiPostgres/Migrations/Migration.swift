import Crypto
import Foundation

/// One numbered SQL file of `sql/`.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String
    /// Hex SHA-256 of the file's bytes; an applied migration whose file changes is refused.
    public let checksum: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        checksum = SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

public enum MigrationSourceError: Error, CustomStringConvertible {
    case notFound(searched: [String])
    case badFileName(String)
    case duplicateVersion(Int, String, String)
    case unreadable(String, String)

    public var description: String {
        switch self {
        case .notFound(let searched):
            return "找不到 sql/ 目录 / cannot find the sql/ directory; set FAZHI_SQL_DIR or pass --sql-dir. Searched: \(searched.joined(separator: ", "))"
        case .badFileName(let name):
            return "迁移文件名应为 NNNN_name.sql / a migration file is named NNNN_name.sql, got \(name)"
        case .duplicateVersion(let version, let first, let second):
            return "迁移版本重复 / migration version \(version) appears twice: \(first) and \(second)"
        case .unreadable(let path, let reason):
            return "无法读取 / cannot read \(path): \(reason)"
        }
    }
}

/// Finds and reads the migrations.
public enum MigrationSource {
    /// Where the `sql/` directory is looked for, in order:
    /// 1. `explicit` (the `--sql-dir` option), then `FAZHI_SQL_DIR`;
    /// 2. `<executable>/../share/fazhi/sql`, the installed layout;
    /// 3. a `sql/` beside a `Package.swift` in the working directory or any parent;
    /// 4. the same, walking up from the executable (a build inside a checkout).
    public static func locate(explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        var candidates: [URL] = []
        if let explicit { candidates.append(URL(fileURLWithPath: explicit)) }
        if let fromEnvironment = environment["FAZHI_SQL_DIR"], !fromEnvironment.isEmpty {
            candidates.append(URL(fileURLWithPath: fromEnvironment))
        }
        // The running executable itself (/proc/self/exe on Linux), not argv[0]: run through
        // PATH, as a container's entry point is, argv[0] is a bare name.
        let executable = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments.first ?? ".")).resolvingSymlinksInPath()
        candidates.append(executable.deletingLastPathComponent().appendingPathComponent("../share/fazhi/sql").standardizedFileURL)
        candidates += checkoutCandidates(from: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        candidates += checkoutCandidates(from: executable.deletingLastPathComponent())
        let fileManager = FileManager.default
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return candidate
            }
            // An explicit choice that does not exist is an error, not a reason to look elsewhere.
            if candidate == candidates.first, explicit != nil { break }
        }
        throw MigrationSourceError.notFound(searched: candidates.map(\.path))
    }

    private static func checkoutCandidates(from start: URL) -> [URL] {
        var found: [URL] = []
        var directory = start.standardizedFileURL
        while true {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                found.append(directory.appendingPathComponent("sql"))
            }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        return found
    }

    /// Reads every `NNNN_name.sql` in `directory`, ordered by number.
    public static func load(from directory: URL) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationSourceError.unreadable(directory.path, error.localizedDescription)
        }
        var migrations: [Migration] = []
        for fileName in names.sorted() where fileName.hasSuffix(".sql") {
            let stem = fileName.dropLast(4)
            guard let separator = stem.firstIndex(of: "_"),
                let version = Int(stem[..<separator]), version > 0,
                stem[..<separator].allSatisfy(\.isASCII)
            else { throw MigrationSourceError.badFileName(fileName) }
            let path = directory.appendingPathComponent(fileName)
            guard let data = FileManager.default.contents(atPath: path.path),
                let sql = String(data: data, encoding: .utf8)
            else { throw MigrationSourceError.unreadable(path.path, "not a readable UTF-8 file") }
            if let clash = migrations.first(where: { $0.version == version }) {
                throw MigrationSourceError.duplicateVersion(version, clash.name, fileName)
            }
            migrations.append(Migration(version: version, name: fileName, sql: sql))
        }
        return migrations.sorted { $0.version < $1.version }
    }
}
