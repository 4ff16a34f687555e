import FazhiRPC
import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import GRPCCore
import SwiftProtobuf

/// `fazhi.v1.CaseService`: working cases.
struct CaseServiceAdapter: Fazhi_V1_CaseService.SimpleServiceProtocol {
    let work: CaseWork
    let clock: @Sendable () -> Date

    private var now: Moment { Moment(instant: clock()) }

    func openCase(request: Fazhi_V1_OpenCaseRequest, context: ServerContext) async throws -> Fazhi_V1_Case {
        guard !request.itemCode.isEmpty else { throw RequestField.missing("item_code", zh: "事项编码") }
        let party = try RequestField.identifier(request.partyID, field: "party_id", zh: "当事人编号")
        let officers = try request.officerIds.map { try RequestField.identifier($0, field: "officer_ids", zh: "执法人员编号") }
        return .init(
            try await work.open(
                try CallScope.caller(), itemCode: request.itemCode, partyID: party, area: request.area,
                officers: officers, text: request.text, call: CallScope.call, at: now))
    }

    func takeStep(request: Fazhi_V1_TakeStepRequest, context: ServerContext) async throws -> Fazhi_V1_Case {
        guard let step = CaseStep(rawValue: request.step), step.isEnforcement else {
            throw DomainError.notOneOf(field: "step", label: "步骤", allowed: ["investigate", "notify", "inspect", "reinspect", "serve", "execute"])
        }
        let officers = try request.officerIds.map { try RequestField.identifier($0, field: "officer_ids", zh: "执法人员编号") }
        let fine = try Self.decimal(request.intendedFine, field: "intended_fine")
        let intended =
            fine != nil || request.revokesRegistration
            ? EnforcementCase.IntendedDecision(fine: fine, revokesRegistration: request.revokesRegistration) : nil
        return try await apply(request.caseID, .take(step, officers: officers, intended: intended), text: request.text)
    }

    func confirmStep(request: Fazhi_V1_CaseActionRequest, context: ServerContext) async throws -> Fazhi_V1_Case {
        try await apply(request.caseID, .confirm, text: request.text)
    }

    func recuse(request: Fazhi_V1_CaseActionRequest, context: ServerContext) async throws -> Fazhi_V1_Case {
        try await apply(request.caseID, .recuse, text: request.text)
    }

    func reviewCase(request: Fazhi_V1_ReviewCaseRequest, context: ServerContext) async throws -> Fazhi_V1_Case {
        guard let outcome = EnforcementCase.ReviewOutcome(rawValue: request.outcome) else {
            throw DomainError.notOneOf(field: "outcome", label: "审核结论", allowed: ["approve", "return", "reject"])
        }
        guard !request.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw RequestField.missing("text", zh: "审核意见") }
        return try await apply(request.caseID, .review(outcome), text: request.text)
    }

    func approveCase(request: Fazhi_V1_CaseActionRequest, context: ServerContext) async throws -> Fazhi_V1_Case {
        try await apply(request.caseID, .approve, text: request.text)
    }

    func decideCase(request: Fazhi_V1_DecideCaseRequest, context: ServerContext) async throws -> Fazhi_V1_Case {
        guard !request.outcome.isEmpty else { throw RequestField.missing("outcome", zh: "决定内容") }
        guard !request.legalBasis.isEmpty else { throw RequestField.missing("legal_basis", zh: "法律依据") }
        return try await apply(
            request.caseID,
            .decide(
                outcome: request.outcome, legalBasis: request.legalBasis,
                fine: try Self.decimal(request.fine, field: "fine")), text: request.text)
    }

    func closeCase(request: Fazhi_V1_CaseActionRequest, context: ServerContext) async throws -> Fazhi_V1_Case {
        try await apply(request.caseID, .close, text: request.text)
    }

    func recordFindings(request: Fazhi_V1_RecordFindingsRequest, context: ServerContext) async throws -> Fazhi_V1_Case {
        guard !request.findings.isEmpty else { throw RequestField.missing("findings", zh: "检查发现") }
        guard request.findings.count <= 200 else {
            throw DomainError.tooManyFindings
        }
        return try await apply(
            request.caseID, .findings(request.findings.map { (code: $0.checklistCode, description: $0.description_p) }), text: request.text)
    }

    func verifyRectification(request: Fazhi_V1_VerifyRectificationRequest, context: ServerContext) async throws -> Fazhi_V1_Case {
        guard !request.findingIds.isEmpty else { throw RequestField.missing("finding_ids", zh: "已整改的检查发现") }
        let ids = try request.findingIds.map { try RequestField.identifier($0, field: "finding_ids", zh: "检查发现编号") }
        return try await apply(request.caseID, .verify(ids), text: request.text)
    }

    func listOverdueRectifications(
        request: Fazhi_V1_ListOverdueRectificationsRequest, context: ServerContext
    ) async throws -> Fazhi_V1_ListOverdueRectificationsResponse {
        let overdue = try await work.overdueRectifications(try CallScope.caller(), on: now.day)
        return .with {
            $0.orders = overdue.map { order in
                .with {
                    $0.caseID = order.caseID.uuidString.lowercased()
                    $0.itemCode = order.itemCode
                    $0.unit = order.unit
                    $0.partyID = order.partyID.uuidString.lowercased()
                    $0.finding = .init(order.finding)
                }
            }
        }
    }

    func getCase(request: Fazhi_V1_GetCaseRequest, context: ServerContext) async throws -> Fazhi_V1_Case {
        let id = try RequestField.identifier(request.caseID, field: "case_id", zh: "案件编号")
        CallScope.call.target("case:\(id.uuidString.lowercased())")
        let (kase, record) = try await work.kase(try CallScope.caller(), id: id)
        var message = Fazhi_V1_Case(kase)
        message.record = record.map(Fazhi_V1_CaseRecordEntry.init)
        return message
    }

    func listCases(request: Fazhi_V1_ListCasesRequest, context: ServerContext) async throws -> Fazhi_V1_ListCasesResponse {
        let page = try Page(size: request.page.pageSize, token: request.page.pageToken)
        var filter = CaseFilter()
        if !request.status.isEmpty {
            guard let status = EnforcementCase.Status(rawValue: request.status) else {
                throw DomainError.notOneOf(field: "status", label: "状态", allowed: ["open", "closed"])
            }
            filter.status = status
        }
        filter.itemCode = request.itemCode.isEmpty ? nil : request.itemCode
        filter.partyID = request.partyID.isEmpty ? nil : try RequestField.identifier(request.partyID, field: "party_id", zh: "当事人编号")
        filter.officerID = request.officerID.isEmpty ? nil : try RequestField.identifier(request.officerID, field: "officer_id", zh: "执法人员编号")
        filter.openedFrom = request.openedFrom.isEmpty ? nil : try RequestField.calendarDay(request.openedFrom, field: "opened_from", zh: "起始日期")
        filter.openedUntil = request.openedUntil.isEmpty ? nil : try RequestField.calendarDay(request.openedUntil, field: "opened_until", zh: "截止日期")
        let after = try page.after.map { key -> UUID in
            guard let id = UUID(uuidString: key) else {
                throw DomainError.invalidPageToken()
            }
            return id
        }
        let cases = try await work.cases(try CallScope.caller(), filter, after: after, limit: page.size)
        return .with {
            $0.cases = cases.map(Fazhi_V1_Case.init)
            $0.nextPageToken = page.nextToken(count: cases.count, lastKey: cases.last?.id.uuidString)
        }
    }

    private func apply(_ caseID: String, _ event: CaseEvent, text: String) async throws -> Fazhi_V1_Case {
        let id = try RequestField.identifier(caseID, field: "case_id", zh: "案件编号")
        return .init(try await work.apply(try CallScope.caller(), caseID: id, event, text: text, call: CallScope.call, at: now))
    }

    /// An exact decimal from its text, or nil when empty.
    /// An amount of yuan: digits, at most 12 before the point (below a trillion, within what
    /// the database keeps) and 2 after it (fen).
    static func decimal(_ text: String, field: String) throws -> Decimal? {
        guard !text.isEmpty else { return nil }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), (1...12).contains(parts[0].count),
            parts.count == 1 || (1...2).contains(parts[1].count) && !parts[1].contains("."),
            let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
        else {
            throw DomainError.invalidAmount(field: field)
        }
        return value
    }
}
