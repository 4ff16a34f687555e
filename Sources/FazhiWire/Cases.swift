import FazhiRPC
import FazhiRules
import FazhiUseCases
import Foundation
import SwiftProtobuf

extension Fazhi_V1_Case {
    public init(_ kase: EnforcementCase) {
        self = .with {
            $0.caseID = kase.id.uuidString.lowercased()
            $0.kind = kase.kind.rawValue
            $0.itemCode = kase.item.code
            $0.itemVersion = Int32(kase.itemVersion)
            $0.itemName = kase.item.name
            $0.partyID = kase.partyID.uuidString.lowercased()
            $0.area = kase.area.code
            $0.status = kase.status.rawValue
            $0.nextStep = kase.nextStep?.rawValue ?? ""
            $0.major = kase.major.map { $0 ? "yes" : "no" } ?? "undetermined"
            $0.openedOn = kase.openedOn?.description ?? ""
            $0.decisionDue = kase.decisionDue?.description ?? ""
            $0.findings = kase.findings.map(Fazhi_V1_CaseFinding.init)
            $0.steps = kase.history.map { record in
                .with {
                    $0.step = record.step.rawValue
                    $0.participants = record.participants.map { participant in
                        .with {
                            $0.officerID = participant.officerID.uuidString.lowercased()
                            $0.credentialNumber = participant.credentialNumber
                            $0.confirmed = participant.confirmedAt != nil
                        }
                    }
                    $0.actor = record.actor?.uuidString.lowercased() ?? ""
                    $0.takenAt = Google_Protobuf_Timestamp(date: record.takenAt)
                    $0.complete = record.isComplete
                }
            }
            $0.recusedOfficerIds = kase.recused.map { $0.uuidString.lowercased() }.sorted()
            $0.reviewOutcome = kase.reviewOutcome?.rawValue ?? ""
            if let decision = kase.decision {
                $0.decision = .with {
                    $0.documentNumber = decision.documentNumber
                    $0.outcome = decision.outcome
                    $0.legalBasis = decision.legalBasis
                    $0.fine = decision.fine?.description ?? ""
                    $0.decidedAt = Google_Protobuf_Timestamp(date: decision.decidedAt)
                }
            }
        }
    }
}

extension Fazhi_V1_CaseFinding {
    public init(_ finding: Finding) {
        self = .with {
            $0.findingID = finding.id.uuidString.lowercased()
            $0.checklistCode = finding.checklistCode
            $0.description_p = finding.description
            $0.deadline = finding.deadline.description
            $0.deadlineProvisional = finding.deadlineProvisional
            $0.verifiedOn = finding.verifiedOn?.description ?? ""
            $0.overdueSince = finding.overdueSince?.description ?? ""
        }
    }
}

extension Fazhi_V1_CaseRecordEntry {
    public init(_ entry: CaseRecordEntry) {
        self = .with {
            $0.id = entry.id
            $0.step = entry.step
            $0.event = entry.event
            $0.actor = entry.actor.uuidString.lowercased()
            $0.officerIds = entry.officers.map { $0.uuidString.lowercased() }
            $0.text = entry.text
            $0.evidenceSha256 = entry.evidence
            $0.corrects = entry.corrects ?? 0
            $0.at = Google_Protobuf_Timestamp(date: entry.at)
        }
    }
}
