import FazhiRules
import FazhiUseCases
import Foundation

/// `fazhi demo`: the Hubin District Civil Affairs Bureau's 2023, made through the real use
/// cases on a simulated clock (docs/ARCHITECTURE.md, "Time"). Every row it leaves is one a user
/// could have made: the same checks refuse the same mistakes, and the statistics count it
/// like any other year.
public struct HubinDemo: Sendable {
    public let store: any TenantStore
    public let secrets: ServerSecrets
    public let scrypt: ScryptParameters

    public init(store: any TenantStore, secrets: ServerSecrets, scrypt: ScryptParameters = .standard) {
        self.store = store
        self.secrets = secrets
        self.scrypt = scrypt
    }

    /// What a load made, for the operator.
    public struct Summary: Sendable {
        public let usernames: [String]
        public let officers: Int
        public let parties: Int
        public let cases: Int
        public let calls: Int
    }

    /// Whether the agency has any case yet: the demo loads only into an agency without.
    public func hasCases(agency: Agency) async throws -> Bool {
        try await store.transaction(agency: agency.id, .read) { tx in
            try await !tx.cases.cases(CaseFilter(), after: nil, limit: 1).isEmpty
        }
    }

    /// Carries out the plan for `agency` as its admin `adminUsername`: first publishes
    /// `powerList` as the agency's first version (when it has none), then every call; every
    /// account it creates gets `password`. `progress` hears (calls done, calls in all).
    public func load(
        agency: Agency, adminUsername: String, plan: DemoPlan, powerList: [PowerItem], password: String,
        progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> Summary {
        guard try await !hasCases(agency: agency) else {
            throw DomainError.demoNeedsEmptyAgency(agency.code)
        }
        guard let admin = try await store.transaction(agency: agency.id, .read, { try await $0.user(username: adminUsername) }),
            admin.roles.contains(.admin)
        else {
            throw DomainError.noSuchAgencyAdmin(adminUsername)
        }
        var runner = try DemoRunner(
            demo: self, agency: agency, plan: plan, password: password,
            admin: Caller(
                agency: agency, userID: admin.id, username: admin.username, displayName: admin.displayName,
                roles: admin.roles, proof: .session, sessionID: nil))
        _ = try await PowerListWork(store: store).publishInitial(
            powerList, agency: agency, by: admin.id, username: admin.username, reason: "湖滨区民政局权责清单 / the bureau's power list", now: plan.start)
        try await runner.run(progress: progress)
        return Summary(
            usernames: plan.staff.map(\.username) + plan.officers.map(\.username), officers: plan.officers.count,
            parties: plan.parties.count, cases: runner.cases.count, calls: plan.events.count)
    }
}
