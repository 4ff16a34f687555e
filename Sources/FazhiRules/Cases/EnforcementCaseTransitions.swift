import Foundation

extension EnforcementCase {
    /// The case after `event` at `now`. `authority` answers, for an officer, whether they
    /// may act on this case's enforcement category in its area at this moment (the use
    /// case asks `Authority.of` for each named officer); `fineThreshold` is the agency's
    /// `case.major_fine_threshold`.
    public func applying(_ event: Event, at now: Moment, authority: (UUID) -> Authority, fineThreshold: Decimal) throws -> EnforcementCase {
        guard status == .open else { throw refused(.closed) }
        var next = self
        switch event {
        case .take(let step, let officers, let initiator, let intended):
            try requireComplete()
            // Another act of the step just taken (more investigation, a second inspection
            // visit) is allowed; otherwise the step must be the one the case waits for.
            guard step.isEnforcement, step == nextStep || (step == history.last?.step && step != .open) else {
                throw refused(.wrongStep(waitingFor: nextStep, asked: step))
            }
            var seen: Set<UUID> = []
            let named = officers.filter { seen.insert($0).inserted }
            guard named.count >= item.minimumOfficers else {
                throw refused(.tooFewOfficers(item: item.code, minimum: item.minimumOfficers, named: named.count))
            }
            guard named.contains(initiator) else {
                throw refused(.initiatorNotNamed(officer: initiator.uuidString.lowercased()))
            }
            var participants: [Participant] = []
            for officer in named {
                participants.append(
                    Participant(
                        officerID: officer, credentialNumber: try mayAct(officer, authority),
                        confirmedAt: officer == initiator ? now.instant : nil))
            }
            if step == .open { next.openedOn = now.day }
            if step == .notify, item.major == .conditional, next.major == nil {
                guard let intended else {
                    throw refused(.intendedDecisionMissing)
                }
                next.major = intended.revokesRegistration || (intended.fine.map { $0 >= fineThreshold } ?? false)
            }
            next.history.append(StepRecord(step: step, participants: participants, actor: nil, takenAt: now.instant))

        case .confirm(let officer):
            guard let last = history.last, let index = last.participants.firstIndex(where: { $0.officerID == officer }) else {
                throw refused(.notNamedInStep(officer: officer.uuidString.lowercased()))
            }
            guard last.participants[index].confirmedAt == nil else {
                throw refused(.alreadyConfirmed(officer: officer.uuidString.lowercased()))
            }
            _ = try mayAct(officer, authority)
            next.history[history.count - 1].participants[index].confirmedAt = now.instant

        case .review(let outcome, let reviewer):
            try requireComplete()
            guard nextStep == .legalReview else {
                throw refused(.noLegalReviewDue)
            }
            guard !participants.contains(reviewer) else {
                throw refused(.reviewerTookPart(reviewer: reviewer.uuidString.lowercased()))
            }
            next.reviewOutcome = outcome
            switch outcome {
            case .approve:
                next.history.append(StepRecord(step: .legalReview, participants: [], actor: reviewer, takenAt: now.instant))
            case .returnForCorrection:
                // Back to investigation: the case waits for a new investigate step.
                if let index = next.history.lastIndex(where: { $0.step == .investigate }) { next.history.removeSubrange((index + 1)...) }
            case .reject:
                next.status = .closed
            }

        case .approve(let approver):
            try requireComplete()
            guard nextStep == .approve else { throw refused(.noApprovalDue) }
            guard major != nil else {
                throw refused(.majorNotSettled)
            }
            next.approvedBy = approver
            next.history.append(StepRecord(step: .approve, participants: [], actor: approver, takenAt: now.instant))

        case .decide(let number, let outcome, let basis, let fine):
            guard nextStep == .decide else { throw refused(.cannotDecideNow) }
            if major == true, reviewOutcome != .approve {
                throw refused(.majorNeedsApprovingReview)
            }
            guard !number.isEmpty, !outcome.isEmpty, !basis.isEmpty else {
                throw DomainError.decisionIncomplete
            }
            if let fine, fine < 0 { throw DomainError.fineNegative }
            next.decision = Decision(documentNumber: number, outcome: outcome, legalBasis: basis, fine: fine, decidedAt: now.instant)
            next.history.append(StepRecord(step: .decide, participants: [], actor: nil, takenAt: now.instant))

        case .close(let officer):
            try requireComplete()
            guard nextStep == .close else {
                throw refused(.stepsRemain(next: nextStep))
            }
            _ = try mayAct(officer, authority)
            next.status = .closed
            next.history.append(
                StepRecord(
                    step: .close, participants: [Participant(officerID: officer, credentialNumber: "", confirmedAt: now.instant)],
                    actor: officer, takenAt: now.instant))

        case .findings(let found, let officer):
            try requireComplete()
            guard let last = history.last, [.inspect, .reinspect].contains(last.step), last.participants.contains(where: { $0.officerID == officer })
            else {
                throw refused(.findingsByInspectorsOnly(officer: officer.uuidString.lowercased()))
            }
            guard !found.isEmpty, found.allSatisfy({ !$0.description.trimmingCharacters(in: .whitespaces).isEmpty }) else {
                throw DomainError.findingsUndescribed
            }
            next.findings += found

        case .verify(let ids, let officer):
            try requireComplete()
            guard let last = history.last, last.step == .reinspect, last.participants.contains(where: { $0.officerID == officer }) else {
                throw refused(.verificationByReinspectorsOnly(officer: officer.uuidString.lowercased()))
            }
            for id in ids {
                guard let index = next.findings.firstIndex(where: { $0.id == id && $0.verifiedOn == nil }) else {
                    throw DomainError.noFindingAwaitsVerification(id.uuidString.lowercased())
                }
                next.findings[index].verifiedOn = now.day
            }

        case .markOverdue(let day):
            for index in next.findings.indices where next.findings[index].isOverdue(on: day) && next.findings[index].overdueSince == nil {
                next.findings[index].overdueSince = day
            }

        case .recuse(let officer):
            next.recused.insert(officer)
            // A pending part of the recused officer can no longer be confirmed: the step
            // must be taken again with others.
            if let last = history.last, !last.isComplete, last.participants.contains(where: { $0.officerID == officer }) {
                next.history.removeLast()
            }
        }
        return next
    }

    /// The officer's credential number when they may act on this case now.
    private func mayAct(_ officer: UUID, _ authority: (UUID) -> Authority) throws -> String {
        let id = officer.uuidString.lowercased()
        guard !recused.contains(officer) else {
            throw refused(.recused(officer: id))
        }
        switch authority(officer) {
        case .allowed(let number):
            return number
        case .denied(let refusal):
            throw DomainError.officerMayNotAct(id, refusal: refusal)
        }
    }

    private func requireComplete() throws {
        guard let last = history.last, let pending = last.participants.first(where: { $0.confirmedAt == nil }) else { return }
        let id = pending.officerID.uuidString.lowercased()
        throw refused(.awaitsConfirmation(step: last.step, officer: id))
    }

    private func refused(_ refusal: CaseRefusal) -> DomainError { refusal.error(caseID: id) }
}
