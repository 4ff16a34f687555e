import Foundation

extension EnforcementCase {
    /// The case after `event` at `now`. `authority` answers, for an officer, whether they
    /// may act on this case's enforcement category in its area at this moment (the use
    /// case asks `Authority.of` for each named officer); `fineThreshold` is the agency's
    /// `case.major_fine_threshold`.
    public func applying(_ event: Event, at now: Moment, authority: (UUID) -> Authority, fineThreshold: Decimal) throws -> EnforcementCase {
        guard status == .open else { throw refused(zh: "案件已结案", en: "the case is closed") }
        var next = self
        switch event {
        case .take(let step, let officers, let initiator, let intended):
            try requireComplete()
            // Another act of the step just taken (more investigation, a second inspection
            // visit) is allowed; otherwise the step must be the one the case waits for.
            guard step.isEnforcement, step == nextStep || (step == history.last?.step && step != .open) else {
                throw refused(
                    zh: "案件当前应进行「\(nextStep?.rawValue ?? "无")」，不能进行「\(step.rawValue)」",
                    en: "the case waits for \(nextStep?.rawValue ?? "nothing"), not \(step.rawValue)", ["step": step.rawValue])
            }
            var seen: Set<UUID> = []
            let named = officers.filter { seen.insert($0).inserted }
            guard named.count >= item.minimumOfficers else {
                throw refused(
                    zh: "事项 \(item.code) 每次执法至少需要 \(item.minimumOfficers) 名执法人员，仅有 \(named.count) 名",
                    en: "item \(item.code) needs at least \(item.minimumOfficers) officers per act, \(named.count) named",
                    ["minimum_officers": String(item.minimumOfficers)])
            }
            guard named.contains(initiator) else {
                throw refused(zh: "发起人须是执法人员之一", en: "the initiator must be one of the officers", ["officer": initiator.uuidString.lowercased()])
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
                    throw refused(
                        zh: "告知时须载明拟作出的决定（罚款金额、是否吊销）", en: "notifying needs the intended decision (fine, revocation)", ["field": "intended"])
                }
                next.major = intended.revokesRegistration || (intended.fine.map { $0 >= fineThreshold } ?? false)
            }
            next.history.append(StepRecord(step: step, participants: participants, actor: nil, takenAt: now.instant))

        case .confirm(let officer):
            guard let last = history.last, let index = last.participants.firstIndex(where: { $0.officerID == officer }) else {
                throw refused(zh: "该执法人员未参与当前步骤", en: "the officer is not named in the current step", ["officer": officer.uuidString.lowercased()])
            }
            guard last.participants[index].confirmedAt == nil else {
                throw refused(zh: "已确认", en: "already confirmed", ["officer": officer.uuidString.lowercased()])
            }
            _ = try mayAct(officer, authority)
            next.history[history.count - 1].participants[index].confirmedAt = now.instant

        case .review(let outcome, let reviewer):
            try requireComplete()
            guard nextStep == .legalReview else {
                throw refused(zh: "案件当前不需要法制审核", en: "the case does not wait for legal review", ["step": "legal_review"])
            }
            guard !participants.contains(reviewer) else {
                throw refused(
                    zh: "审核人员参与过本案，不能审核", en: "the reviewer took part in the case and cannot review it",
                    ["reviewer": reviewer.uuidString.lowercased()])
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
            guard nextStep == .approve else { throw refused(zh: "案件当前不等待审批", en: "the case does not wait for approval", ["step": "approve"]) }
            guard major != nil else {
                throw refused(zh: "尚未确定是否重大（须先告知拟作出的决定）", en: "whether the case is major is not settled yet (notify the intended decision first)")
            }
            next.approvedBy = approver
            next.history.append(StepRecord(step: .approve, participants: [], actor: approver, takenAt: now.instant))

        case .decide(let number, let outcome, let basis, let fine):
            guard nextStep == .decide else { throw refused(zh: "案件当前不能作出决定", en: "the case cannot be decided now", ["step": "decide"]) }
            if major == true, reviewOutcome != .approve {
                throw refused(zh: "重大执法决定须经法制审核通过", en: "a major decision needs an approving legal review on record", ["step": "legal_review"])
            }
            guard !number.isEmpty, !outcome.isEmpty, !basis.isEmpty else {
                throw DomainError.invalidArgument(
                    field: "decision", zh: "决定须有文号、结论和法律依据", en: "a decision needs a number, an outcome and a legal basis")
            }
            if let fine, fine < 0 { throw DomainError.invalidArgument(field: "fine", zh: "罚款金额不能为负", en: "a fine cannot be negative") }
            next.decision = Decision(documentNumber: number, outcome: outcome, legalBasis: basis, fine: fine, decidedAt: now.instant)
            next.history.append(StepRecord(step: .decide, participants: [], actor: nil, takenAt: now.instant))

        case .close(let officer):
            try requireComplete()
            guard nextStep == .close else {
                throw refused(zh: "案件尚有未完成的步骤", en: "the case has steps still to take", ["step": nextStep?.rawValue ?? ""])
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
                throw refused(
                    zh: "只有完成检查的执法人员才能登记检查发现", en: "findings are recorded by an officer of the inspection just completed",
                    ["officer": officer.uuidString.lowercased()])
            }
            guard !found.isEmpty, found.allSatisfy({ !$0.description.trimmingCharacters(in: .whitespaces).isEmpty }) else {
                throw DomainError.invalidArgument(field: "findings", zh: "须写明每项检查发现", en: "describe every finding")
            }
            next.findings += found

        case .verify(let ids, let officer):
            try requireComplete()
            guard let last = history.last, last.step == .reinspect, last.participants.contains(where: { $0.officerID == officer }) else {
                throw refused(
                    zh: "须由完成复查的执法人员确认整改", en: "rectification is verified by an officer of the re-inspection just completed",
                    ["officer": officer.uuidString.lowercased()])
            }
            for id in ids {
                guard let index = next.findings.firstIndex(where: { $0.id == id && $0.verifiedOn == nil }) else {
                    throw DomainError(
                        .invalidArgument, zh: "没有待复查的检查发现 \(id.uuidString.lowercased())",
                        en: "no finding \(id.uuidString.lowercased()) awaits verification", metadata: ["field": "finding_ids"])
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
            throw refused(zh: "执法人员 \(id) 已回避本案", en: "officer \(id) has recused from the case", ["officer": id, "refusal": "RECUSED"])
        }
        switch authority(officer) {
        case .allowed(let number):
            return number
        case .denied(let refusal):
            throw DomainError(
                .permissionDenied, zh: "执法人员 \(id) 不能执法：\(refusal.rawValue)", en: "officer \(id) may not act: \(refusal.rawValue)",
                metadata: ["officer": id, "refusal": refusal.rawValue])
        }
    }

    private func requireComplete() throws {
        guard let last = history.last, let pending = last.participants.first(where: { $0.confirmedAt == nil }) else { return }
        let id = pending.officerID.uuidString.lowercased()
        throw refused(
            zh: "「\(last.step.rawValue)」尚待执法人员 \(id) 确认", en: "\(last.step.rawValue) still waits for officer \(id) to confirm",
            ["officer": id, "step": last.step.rawValue])
    }

    private func refused(zh: String, en: String, _ metadata: [String: String] = [:]) -> DomainError {
        DomainError(.failedPrecondition, zh: zh, en: en, metadata: metadata.merging(["case": id.uuidString.lowercased()]) { $1 })
    }
}
