import ArgumentParser
import FazhiClientVerbs

@main
struct Fazhi: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fazhi",
        abstract: "法治 Fazhi: 行政执法公示与全过程记录 / open administrative law enforcement.",
        // Server verbs first, then the client verbs (FazhiClientVerbs).
        subcommands: [
            DevCommand.self, ServeCommand.self, DatabaseCommand.self, MigrateCommand.self, CalendarCommand.self, PlatformAdminCommand.self,
            JobsCommand.self, SecretsCommand.self, DemoCommand.self,
        ] + ClientVerbs.commands
    )
}
