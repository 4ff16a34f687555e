import FazhiRPC
import FazhiRules
import FazhiUseCases
import Foundation
import SwiftProtobuf

extension Fazhi_V1_AnnualStatistics {
    public init(_ s: AnnualStatistics) {
        self = .with {
            $0.agencyCode = s.agencyCode
            $0.agencyName = s.agencyName
            $0.year = Int32(s.year)
            $0.officersAtYearEnd = Int32(s.officersAtYearEnd)
            $0.validCredentialsAtYearEnd = Int32(s.validCredentialsAtYearEnd)
            $0.credentialsIssued = Int32(s.credentialsIssued)
            $0.credentialsRenewed = Int32(s.credentialsRenewed)
            $0.credentialsReplaced = Int32(s.credentialsReplaced)
            $0.credentialsReviewed = Int32(s.credentialsReviewed)
            $0.credentialsSuspended = Int32(s.credentialsSuspended)
            $0.credentialsRevoked = Int32(s.credentialsRevoked)
            $0.casesOpened = Int32(s.casesOpened)
            $0.decisions = Int32(s.decisions)
            $0.casesByPowerCategory = s.casesByPowerCategory.map { c in
                .with {
                    $0.category = c.category
                    $0.cases = Int32(c.cases)
                    $0.decisions = Int32(c.decisions)
                }
            }
            $0.casesByItem = s.casesByItem.map { i in
                .with {
                    $0.itemCode = i.itemCode
                    $0.itemName = i.itemName
                    $0.category = i.category
                    $0.cases = Int32(i.cases)
                    $0.decisions = Int32(i.decisions)
                }
            }
            $0.inspections = Int32(s.inspections)
            $0.findings = Int32(s.findings)
            $0.rectifiedOnTime = Int32(s.rectifiedOnTime)
            $0.rectifiedLate = Int32(s.rectifiedLate)
            $0.rectificationOpen = Int32(s.rectificationOpen)
            $0.penaltyDecisions = Int32(s.penaltyDecisions)
            $0.totalFines = "\(s.totalFines)"
            $0.legalReviewsApproved = Int32(s.legalReviewsApproved)
            $0.legalReviewsReturned = Int32(s.legalReviewsReturned)
            $0.legalReviewsRejected = Int32(s.legalReviewsRejected)
            $0.disclosuresOnTime = Int32(s.disclosuresOnTime)
            $0.disclosuresLate = Int32(s.disclosuresLate)
            $0.withdrawals = Int32(s.withdrawals)
            $0.months = s.months.map { m in
                .with {
                    $0.month = Int32(m.month)
                    $0.casesOpened = Int32(m.casesOpened)
                    $0.decisions = Int32(m.decisions)
                    $0.inspections = Int32(m.inspections)
                    $0.disclosures = Int32(m.disclosures)
                }
            }
        }
    }
}
