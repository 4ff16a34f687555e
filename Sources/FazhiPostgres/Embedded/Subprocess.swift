import Foundation

/// Runs a program to completion and captures what it printed.
///
/// Written on posix_spawn and waitpid rather than Foundation's Process: Process judges a
/// child finished by a descriptor the child inherits, and a server that `pg_ctl start`
/// daemonizes keeps that descriptor open for its whole life.
struct Subprocess {
    struct Failure: Error, CustomStringConvertible {
        let command: String
        let status: Int32
        let output: String
        var description: String { "`\(command)` exited with \(status): \(output.trimmingCharacters(in: .whitespacesAndNewlines))" }
    }

    /// Runs `executable` with `arguments`; as root and with `asUser`, through `runuser`.
    @discardableResult
    static func run(
        _ executable: String, _ arguments: [String], asUser user: String? = nil, allowFailure: Bool = false
    ) throws -> (status: Int32, output: String) {
        let argv =
            (user != nil && getuid() == 0)
            ? ["/usr/sbin/runuser", "-u", user!, "--", executable] + arguments
            : [executable] + arguments
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("fazhi-\(UUID().uuidString).out")
        let descriptor = open(capture.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Failure(command: argv.joined(separator: " "), status: -1, output: "cannot create \(capture.path)")
        }
        defer {
            close(descriptor)
            unlink(capture.path)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, descriptor, 1)
        posix_spawn_file_actions_adddup2(&actions, descriptor, 2)

        let cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else {
            throw Failure(command: argv.joined(separator: " "), status: -1, output: String(cString: strerror(spawned)))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS, which Swift does not import as macros.
        let exitCode: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let output = (try? String(contentsOf: capture, encoding: .utf8)) ?? ""
        if exitCode != 0 && !allowFailure {
            throw Failure(command: argv.joined(separator: " "), status: exitCode, output: output)
        }
        return (exitCode, output)
    }
}
