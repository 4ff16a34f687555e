import FazhiRules
import Foundation
import Testing

/// The catalogue: every refusal reads in Chinese and English with its facts, and no code
/// outside `Sources/FazhiRules/Errors/` writes an error's sentence itself.
@Suite struct ErrorCatalogueTests {
    static let caseRefusals: [CaseRefusal] = [
        .closed, .wrongStep(waitingFor: .notify, asked: .decide), .wrongStep(waitingFor: nil, asked: .close),
        .tooFewOfficers(item: "MZ-CF-001", minimum: 2, named: 1), .initiatorNotNamed(officer: "o1"), .intendedDecisionMissing,
        .notNamedInStep(officer: "o1"), .alreadyConfirmed(officer: "o1"), .noLegalReviewDue, .reviewerTookPart(reviewer: "r1"),
        .noApprovalDue, .majorNotSettled, .cannotDecideNow, .majorNeedsApprovingReview, .stepsRemain(next: .decide),
        .findingsByInspectorsOnly(officer: "o1"), .verificationByReinspectorsOnly(officer: "o1"), .recused(officer: "o1"),
        .awaitsConfirmation(step: .investigate, officer: "o2"),
    ]

    @Test(arguments: caseRefusals) func aCaseRefusalNamesItsCase(_ refusal: CaseRefusal) {
        let id = UUID()
        let error = refusal.error(caseID: id)
        #expect(error.reason == .failedPrecondition)
        #expect(error.metadata["case"] == id.uuidString.lowercased())
        #expect(error.messageZH.unicodeScalars.contains { $0.value >= 0x4E00 } && !error.messageEN.isEmpty)
    }

    static let credentialRefusals: [CredentialRefusal] = [
        .termEndedNoReinstatement(validUntil: "2026-01-01"), .reviewMissing(year: 2025), .reviewMissingNoRenewal(year: 2025),
        .termNotEnded, .termEndedApplyAgain, .reviewYearNotFinished, .yearAlreadyReviewed(2025),
        .trainingHoursShort(hours: 20, threshold: 40), .notInThisState,
    ]

    @Test(arguments: credentialRefusals) func aCredentialRefusalNamesStateAndEvent(_ refusal: CredentialRefusal) {
        let error = refusal.error(state: "suspended", event: "renew")
        #expect(error.metadata["state"] == "suspended" && error.metadata["event"] == "renew")
        #expect(error.messageZH.unicodeScalars.contains { $0.value >= 0x4E00 } && !error.messageEN.isEmpty)
    }

    @Test func theFactsAreInTheText() {
        #expect(CaseRefusal.tooFewOfficers(item: "MZ-CF-001", minimum: 2, named: 1).error(caseID: UUID()).messageZH.contains("MZ-CF-001"))
        #expect(CredentialRefusal.trainingHoursShort(hours: 20, threshold: 40).error(state: "active", event: "review").messageEN.contains("40"))
        #expect(DomainError.noSuchUser("wang").messageZH.contains("wang"))
        #expect(DomainError.passwordPolicy(.tooShort(minimum: 12)).metadata["field"] == "password")
        #expect(DomainError.onCSVLine(7, .itemCodeRepeated("A-1")).metadata["line"] == "7")
    }

    @Test func refusalsReadLabelsNotCodes() {
        let wrong = CaseRefusal.wrongStep(waitingFor: .notify, asked: .decide).error(caseID: UUID())
        #expect(wrong.messageZH == "案件当前应进行「告知」，不能进行「决定」" && wrong.metadata["step"] == "decide")
        let denied = DomainError.officerMayNotAct("zf01", refusal: .suspended)
        #expect(denied.messageZH == "执法人员 zf01 不能执法：执法证已暂扣" && denied.metadata["refusal"] == "CREDENTIAL_SUSPENDED")
        let state = CredentialRefusal.notInThisState.error(state: "suspended", event: "renew")
        #expect(state.messageZH == "证件状态为「暂扣」，不能换证" && state.metadata["event"] == "renew")
    }

    @Test func aChoiceListsItsValuesInBothLanguages() {
        let error = DomainError.notOneOf(field: "status", label: "状态", allowed: ["open", "closed"])
        #expect(error.messageZH == "状态须为 open 或 closed")
        #expect(error.messageEN == "status must be open or closed")
        #expect(error.metadata["field"] == "status")
        #expect(
            DomainError.notOneOf(field: "outcome", label: "审核结论", allowed: ["approve", "return", "reject"]).messageZH
                == "审核结论须为 approve、return 或 reject")
    }

    /// The catalogue is the one place an error's text is written: elsewhere in `Sources`, a
    /// `DomainError(` with a reason and text, or `.invalidArgument(`/`.notFound(` with
    /// text, is a sentence that escaped it.
    @Test func noErrorTextOutsideTheCatalogue() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../Sources").standardized
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        var escaped: [String] = []
        for case let file as URL in files where file.pathExtension == "swift" {
            let path = file.path
            if path.contains("/Sources/FazhiRules/Errors/") || path.contains("/Sources/FazhiRPC/") { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.contains("DomainError(.") || line.contains("DomainError.invalidArgument(") || line.contains("DomainError.notFound(")
                || line.hasSuffix("DomainError(")
            {
                escaped.append("\(path.replacingOccurrences(of: sources.path + "/", with: "")):\(number + 1)")
            }
        }
        #expect(escaped.isEmpty, "error text written outside Sources/FazhiRules/Errors: \(escaped)")
    }
}
