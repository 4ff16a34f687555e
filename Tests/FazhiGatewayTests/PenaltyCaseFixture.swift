import FazhiRPC
import GRPCCore
import GRPCNIOTransportHTTP2

extension CaseServiceTests.Bench {
    /// A minor penalty decided against a private person named `personName`: officers li and
    /// wang open the case on item MZ-CF-001, investigate and notify the intended `fine`
    /// (each step confirmed by wang), the approver approves, and li decides with `basis`
    /// and `outcome` (text that may carry personal data, for the redaction tests).
    func decideMinorPenalty(
        _ client: GRPCClient<HTTP2ClientTransport.Posix>, personName: String, fine: String, basis: String, outcome: String
    ) async throws -> Fazhi_V1_Case {
        let li = bearer(corps.liToken)
        let wang = bearer(corps.wangToken)
        let two = [corps.liOfficerID, corps.wangOfficerID]
        let person = try await Fazhi_V1_PartyService.Client(wrapping: client).createParty(
            .with {
                $0.kind = "person"
                $0.name = personName
                $0.idNumber = PartyServiceTests.personID
                $0.area = "411202"
            }, metadata: li)
        let cases = Fazhi_V1_CaseService.Client(wrapping: client)
        let kase = try await cases.openCase(
            .with {
                $0.itemCode = "MZ-CF-001"
                $0.partyID = person.partyID
                $0.officerIds = two
                $0.text = "立案"
            }, metadata: li)
        _ = try await cases.confirmStep(.with { $0.caseID = kase.caseID }, metadata: wang)
        for (step, intended) in [("investigate", ""), ("notify", fine)] {
            _ = try await cases.takeStep(
                .with {
                    $0.caseID = kase.caseID
                    $0.step = step
                    $0.officerIds = two
                    $0.intendedFine = intended
                }, metadata: li)
            _ = try await cases.confirmStep(.with { $0.caseID = kase.caseID }, metadata: wang)
        }
        _ = try await cases.approveCase(
            .with {
                $0.caseID = kase.caseID
                $0.text = "同意"
            }, metadata: approver)
        return try await cases.decideCase(
            .with {
                $0.caseID = kase.caseID
                $0.fine = fine
                $0.legalBasis = basis
                $0.outcome = outcome
            }, metadata: li)
    }
}
