import FazhiRules
import Foundation

/// An overdue rectification order, for the head of the responsible unit.
public struct OverdueRectification: Sendable, Equatable {
    public var caseID: UUID
    public var itemCode: String
    public var unit: String
    public var partyID: UUID
    public var finding: Finding
}

extension CaseWork {
    /// Every overdue rectification order of open inspections on `day`.
    public func overdueRectifications(_ caller: Caller, on day: CalendarDay) async throws -> [OverdueRectification] {
        try await store.transaction(agency: caller.agency.id, .read) { tx in try await Self.overdue(tx, on: day) }
    }

    /// 逾期整改督办: the daily sweep marks each newly overdue finding once, in the case's
    /// record, and returns the overdue orders. Idempotent: a second run marks nothing.
    public func rectificationSweep(agency: Agency, at now: Moment) async throws -> (marked: Int, overdue: [OverdueRectification]) {
        let candidates = try await store.transaction(agency: agency.id, .read) { tx in
            try await Self.openInspections(tx).filter { $0.findings.contains { $0.isOverdue(on: now.day) && $0.overdueSince == nil } }.map(\.id)
        }
        var marked = 0
        for id in candidates {
            marked += try await store.transaction(agency: agency.id, .write(for: nil)) { tx in
                guard let (kase, version) = try await tx.cases.kase(id: id, locking: true) else { return 0 }
                let next = try kase.applying(.markOverdue(on: now.day), at: now, authority: { _ in .denied(.noCredential) }, fineThreshold: 0)
                let newly = zip(kase.findings, next.findings).filter { $0.overdueSince == nil && $1.overdueSince != nil }.map(\.1)
                guard !newly.isEmpty, try await tx.cases.save(next, readAt: version, at: now.instant) else { return 0 }
                try await tx.cases.append(
                    CaseRecordEntry(
                        step: "reinspect", event: "overdue", actor: Self.systemActor, officers: [],
                        text: "逾期未整改 / overdue: " + newly.map { "\($0.checklistCode) \($0.description)（\($0.deadline)）" }.joined(separator: "；"),
                        at: now.instant), toCase: id)
                return newly.count
            }
        }
        let overdue = try await store.transaction(agency: agency.id, .read) { tx in try await Self.overdue(tx, on: now.day) }
        return (marked, overdue)
    }

    /// The record's actor for what the system does by itself.
    static let systemActor = UUID(uuidString: "00000000-0000-0000-0000-000000000000")!

    static func overdue(_ tx: any TenantTransaction, on day: CalendarDay) async throws -> [OverdueRectification] {
        try await openInspections(tx).flatMap { kase in
            kase.findings.filter { $0.isOverdue(on: day) }.map {
                OverdueRectification(caseID: kase.id, itemCode: kase.item.code, unit: kase.item.unit, partyID: kase.partyID, finding: $0)
            }
        }
    }

    static func openInspections(_ tx: any TenantTransaction) async throws -> [EnforcementCase] {
        var all: [EnforcementCase] = []
        var after: UUID?
        repeat {
            let page = try await tx.cases.cases(CaseFilter(kind: .inspection, status: .open), after: after, limit: 500)
            all += page
            after = page.count == 500 ? page.last?.id : nil
        } while after != nil
        return all
    }
}
