import FazhiRules
import Foundation
import Testing

struct CredentialSuccessionTests {
    func review(_ year: Int, hours: Int = 45) -> Credential.Event {
        .review(.init(year: year, trainingHours: hours, outcome: .passed, reviewer: "审验员", recordedOn: day("\(year + 1)-02-01")))
    }

    @Test func aRenewalStartsANewTermUnderANewNumber() throws {
        let reviewed = try issued().applying(review(2023), by: "a", reason: "审验", at: moment("2024-02-01"), rules: rules)
        let (ended, successor) = try reviewed.succeeded(
            by: "411202-MZ-2024-0007", successorID: UUID(), replacement: false, by: "管理员",
            reason: "到期换发", at: moment("2024-06-01"), rules: rules)
        #expect(ended.state == .superseded && ended.successor == "411202-MZ-2024-0007" && ended.history.last?.event == "renew")
        #expect(successor.state == .active && successor.number == "411202-MZ-2024-0007" && successor.officerID == reviewed.officerID)
        #expect(successor.validFrom == day("2024-06-01") && successor.validUntil == day("2029-05-31") && successor.reviews.isEmpty)
        #expect(successor.categories == reviewed.categories && successor.areas == reviewed.areas)
        #expect(
            successor.history.count == 1 && successor.history[0].event == "renewal" && successor.history[0].reason.contains("411202-MZ-2023-0001"))
    }

    @Test func aRenewalWaitsForLastYearsReview() throws {
        // In February 2024 the 2023 review is not yet overdue, but a renewal would escape it.
        #expect(throws: DomainError.self) {
            try issued().succeeded(by: "N", successorID: UUID(), replacement: false, by: "a", reason: "换发", at: moment("2024-02-01"), rules: rules)
        }
    }

    @Test func aReplacementKeepsTheTermAndTheReviews() throws {
        let reviewed = try issued().applying(review(2023), by: "a", reason: "审验", at: moment("2024-02-01"), rules: rules)
        let (ended, successor) = try reviewed.succeeded(
            by: "N-9", successorID: UUID(), replacement: true, by: "管理员",
            reason: "遗失补发", at: moment("2024-02-10"), rules: rules)
        #expect(ended.history.last?.event == "replace")
        #expect(successor.validFrom == reviewed.validFrom && successor.validUntil == reviewed.validUntil && successor.reviews == reviewed.reviews)
        // And a missing review stays missing on the replacement.
        let (_, unreviewed) = try issued().succeeded(
            by: "N-10", successorID: UUID(), replacement: true, by: "a", reason: "补发", at: moment("2024-04-10"), rules: rules)
        #expect(unreviewed.standing(on: day("2024-04-10"), rules: rules) == .overdueForReview)
    }

    @Test func onlyAnActiveCredentialIsSucceeded() throws {
        for state in Credential.State.allCases where state != .active {
            #expect(throws: DomainError.self, "\(state)") {
                try credentialIn(state).succeeded(
                    by: "N", successorID: UUID(), replacement: true, by: "a", reason: "r", at: moment("2023-07-01"), rules: rules)
            }
        }
    }

    @Test func publicRecordEntriesFollowStateChangesOfIssuedCredentialsOnly() throws {
        let applied = try application()
        #expect(PublicRecordEntry.entries(for: applied, after: 0, holderName: "李明").isEmpty, "an application is not public")
        let rejected = try applied.applying(.reject, by: "a", reason: "r", at: moment("2023-05-11"), rules: rules)
        #expect(PublicRecordEntry.entries(for: rejected, after: 0, holderName: "李明").isEmpty, "nor its rejection")

        let active = try issued()
        let suspended = try active.applying(.suspend, by: "a", reason: "r", at: moment("2023-06-01"), rules: rules)
        let reviewed = try suspended.applying(review(2023), by: "a", reason: "审验", at: moment("2024-02-01"), rules: rules)
        let entries = PublicRecordEntry.entries(for: reviewed, after: 0, holderName: "李明")
        #expect(entries.map(\.event) == ["issue", "suspend"], "a passed review changes no state")
        #expect(entries.allSatisfy { $0.subject == "411202-MZ-2023-0001" && $0.holderName == "李明" && $0.topic == "enforcement_personnel" })
        #expect(PublicRecordEntry.entries(for: suspended, after: active.history.count, holderName: "李明").map(\.state) == ["suspended"])
    }

    @Test func standingNamesWhyACredentialCannotAct() throws {
        #expect(try issued().standing(on: day("2023-05-10"), rules: rules) == nil)
        #expect(try issued().standing(on: day("2023-05-09"), rules: rules) == .noCredential, "not before its term")
        #expect(try issued().standing(on: day("2024-03-31"), rules: rules) == nil, "unreviewed, until the deadline")
        #expect(try issued().standing(on: day("2024-04-01"), rules: rules) == .overdueForReview, "not after")
        #expect(try credentialIn(.suspended).standing(on: day("2023-07-01"), rules: rules) == .suspended)
        #expect(try credentialIn(.revoked).standing(on: day("2023-07-01"), rules: rules) == .revoked)
        #expect(try credentialIn(.applied).standing(on: day("2023-07-01"), rules: rules) == .noCredential)
    }
}
