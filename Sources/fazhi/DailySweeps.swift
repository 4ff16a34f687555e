import FazhiPostgres
import FazhiRules
import FazhiUseCases
import Foundation

/// The daily sweeps, for one agency, with what each did as a line of text: run by
/// `fazhi jobs` by hand and by `fazhi serve` at `jobs.daily_at`.
enum DailySweep: String, CaseIterable, Sendable {
    case credentials = "credential-sweep"
    case rectifications = "rectification-sweep"

    func run(_ store: PostgresTenantStore, agency: Agency, at now: Moment) async throws -> String {
        switch self {
        case .credentials:
            let report = try await CredentialWork(store: store).sweep(agency: agency, at: now)
            return "\(agency.code) \(now.day): 期满 expired \(report.expired.count), 暂扣 suspended \(report.suspended.count)"
                + (report.expired + report.suspended).map { "\n  \($0)" }.joined()
        case .rectifications:
            let (marked, overdue) = try await CaseWork(store: store).rectificationSweep(agency: agency, at: now)
            return "\(agency.code) \(now.day): 新逾期 newly overdue \(marked), 逾期未整改 overdue \(overdue.count)"
                + overdue.map {
                    "\n  \($0.unit) \($0.itemCode) case \($0.caseID.uuidString.lowercased()): \($0.finding.checklistCode) \($0.finding.description) (due \($0.finding.deadline))"
                }.joined()
        }
    }
}
