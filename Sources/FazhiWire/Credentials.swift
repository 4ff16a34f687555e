import FazhiRPC
import FazhiRules
import FazhiUseCases
import Foundation
import SwiftProtobuf

extension Fazhi_V1_Credential {
    public init(_ status: CredentialStatus) { self.init(status.credential, standing: status.standing) }
}

/// Domain values of the enforcement corps as protobuf messages, and back.
extension Fazhi_V1_Officer {
    public init(_ officer: OfficerView) {
        self = .with {
            $0.officerID = officer.id.uuidString.lowercased()
            $0.name = officer.name
            $0.unit = officer.unit
            $0.position = officer.position
            $0.username = officer.username ?? ""
            $0.idNumber = officer.idNumber
            $0.idNumberMasked = officer.idNumberMasked
            $0.contact = officer.contact
            $0.examResults = officer.examResults.map { exam in
                .with {
                    $0.day = exam.day.description
                    $0.score = Int32(exam.score)
                    $0.passed = exam.score >= officer.passMark
                }
            }
            $0.trainingHours = officer.trainingHours.sorted { $0.key < $1.key }.map { year, hours in
                .with {
                    $0.year = Int32(year)
                    $0.hours = Int32(hours)
                }
            }
            $0.createdAt = Google_Protobuf_Timestamp(date: officer.createdAt)
        }
    }
}

extension Fazhi_V1_Credential {
    public init(_ credential: Credential, standing: Authority.Refusal?) {
        self = .with {
            $0.credentialID = credential.id.uuidString.lowercased()
            $0.officerID = credential.officerID.uuidString.lowercased()
            $0.number = credential.number ?? ""
            $0.state = credential.state.rawValue
            $0.categories = credential.categories.sorted()
            $0.areas = credential.areas.map(\.code)
            $0.examDay = credential.exam.day.description
            $0.examScore = Int32(credential.exam.score)
            $0.validFrom = credential.validFrom?.description ?? ""
            $0.validUntil = credential.validUntil?.description ?? ""
            $0.successor = credential.successor ?? ""
            $0.reviews = credential.reviews.values.sorted { $0.year < $1.year }.map { review in
                .with {
                    $0.year = Int32(review.year)
                    $0.trainingHours = Int32(review.trainingHours)
                    $0.outcome = review.outcome.rawValue
                    $0.reviewer = review.reviewer
                    $0.recordedOn = review.recordedOn.description
                }
            }
            $0.history = credential.history.map { transition in
                .with {
                    $0.fromState = transition.from.rawValue
                    $0.toState = transition.to.rawValue
                    $0.event = transition.event
                    $0.reason = transition.reason
                    $0.actor = transition.actor
                    $0.at = Google_Protobuf_Timestamp(date: transition.at)
                }
            }
            $0.standing = standing?.rawValue ?? ""
        }
    }
}

extension Fazhi_V1_CredentialCard {
    public init(_ card: CredentialCard) {
        self = .with {
            $0.number = card.number
            $0.holderName = card.holderName
            $0.agencyCode = card.agencyCode
            $0.agencyName = card.agencyName
            $0.categories = card.categories
            $0.areas = card.areas
            $0.state = card.state.rawValue
            $0.validFrom = card.validFrom?.description ?? ""
            $0.validUntil = card.validUntil?.description ?? ""
            $0.inForce = card.inForce
        }
    }
}
