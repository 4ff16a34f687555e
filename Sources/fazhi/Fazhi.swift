import ArgumentParser

@main
struct Fazhi: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fazhi",
        abstract: "法治 Fazhi: 行政执法公示与全过程记录 / open administrative law enforcement.",
        subcommands: [
            DevCommand.self, ServeCommand.self, DatabaseCommand.self, MigrateCommand.self, CalendarCommand.self,
            LoginCommand.self, LogoutCommand.self, WhoAmICommand.self, UserCommand.self, AuditCommand.self, PlatformAdminCommand.self,
            JobsCommand.self,
            SecretsCommand.self, DemoCommand.self, OfficerCommand.self, CredentialCommand.self, VerifyCommand.self, PowerListCommand.self,
            PartyCommand.self, CaseCommand.self, DisclosureCommand.self, StatisticsCommand.self, HealthCommand.self,
        ]
    )
}
