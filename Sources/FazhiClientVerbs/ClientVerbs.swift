import ArgumentParser

/// The verbs that talk to a server over gRPC (sign-in, users, the corps, cases,
/// disclosures, statistics, verification, health): they depend on the wire contract and
/// its mapping, never on the server's own modules. The `fazhi` executable lists them
/// beside its server verbs.
public enum ClientVerbs {
    public static let commands: [any ParsableCommand.Type] = [
        LoginCommand.self, LogoutCommand.self, WhoAmICommand.self, UserCommand.self, AuditCommand.self, OfficerCommand.self,
        CredentialCommand.self, VerifyCommand.self, PowerListCommand.self, PartyCommand.self, CaseCommand.self, DisclosureCommand.self,
        StatisticsCommand.self, HealthCommand.self,
    ]
}
