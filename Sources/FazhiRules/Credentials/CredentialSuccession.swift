import Foundation

extension Credential {
    /// 换发 (renewal, before the term ends) or 补发 (replacement, when lost or damaged):
    /// this credential is superseded and a successor under `number` takes its place. A
    /// renewal starts a new term and needs last year's review done; a replacement carries
    /// the same term and reviews, so losing a card never escapes a review.
    public func succeeded(
        by number: String, successorID: UUID, replacement: Bool, by actor: String, reason: String,
        at now: Moment, rules: CredentialRules
    ) throws -> (ended: Credential, successor: Credential) {
        let event = Event.supersede(successor: number, replacement: replacement)
        if !replacement, state == .active, let missing = missingReview(on: now.day, rules: rules) {
            throw refused(event, .reviewMissingNoRenewal(year: missing))
        }
        let ended = try applying(event, by: actor, reason: reason, at: now, rules: rules)
        let successor = Credential(
            id: successorID, officerID: officerID, number: number, state: .active, categories: categories, areas: areas, exam: exam,
            validFrom: replacement ? validFrom : now.day, validUntil: replacement ? validUntil : rules.termEnd(startingOn: now.day),
            reviews: replacement ? reviews : [:], successor: nil,
            history: [
                Transition(
                    from: .applied, to: .active, event: replacement ? "replacement" : "renewal",
                    reason: "\(reason)（原证 / previously \(self.number ?? "")）", actor: actor, at: now.instant)
            ])
        return (ended, successor)
    }
}
