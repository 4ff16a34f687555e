import FazhiRules
import Foundation

extension CredentialWork {
    /// What the daily sweep did to one agency on `now.day`.
    public struct SweepReport: Sendable, Equatable {
        public var expired: [String] = []
        public var suspended: [String] = []

        public init(expired: [String] = [], suspended: [String] = []) {
            self.expired = expired
            self.suspended = suspended
        }
    }

    /// 定期核查: expires credentials past their term and suspends those whose previous
    /// year's review is overdue. Each credential is decided under its row lock, so the
    /// sweep is idempotent and safe beside administrators at work: a second run finds
    /// nothing to do.
    public func sweep(agency: Agency, at now: Moment) async throws -> SweepReport {
        let candidates = try await store.transaction(agency: agency.id, .read) { try await $0.credentials.sweepCandidates() }
        var report = SweepReport()
        for id in candidates {
            let outcome: (Credential.Event, String?)? = try await store.transaction(agency: agency.id, .write(for: nil)) { tx in
                let rules = try CredentialRules(settings: try await tx.settings())
                guard let (credential, version) = try await tx.credentials.credential(id: id, locking: true),
                    let event = credential.sweep(on: now.day, rules: rules)
                else { return nil }
                let reason = event == .expire ? "有效期届满 / the term ended" : "逾期未年度审验 / the annual review is overdue"
                let next = try credential.applying(event, by: "system:sweep", reason: reason, at: now, rules: rules)
                guard try await tx.credentials.save(next, readAt: version) else { return nil }
                try await Self.queuePublicRecords(next, after: credential.history.count, tx: tx)
                return (event, next.number)
            }
            switch outcome {
            case (.expire, let number)?: report.expired.append(number ?? id.uuidString)
            case (.suspend, let number)?: report.suspended.append(number ?? id.uuidString)
            default: break
            }
        }
        return report
    }
}
