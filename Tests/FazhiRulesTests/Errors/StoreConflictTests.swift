import FazhiRules
import Testing

/// Every conflict a store can raise reads in Chinese and English and names its field.
@Suite struct StoreConflictTests {
    static let all: [StoreConflict] = [
        .agencyCodeTaken("411202-MZ"), .usernameTaken("li"), .partyCreditCodeRecorded, .partyIDNumberRecorded,
        .officerIDNumberRecorded, .userAlreadyAnOfficer, .decisionNumberTaken, .powerListVersionPublished(3),
    ]

    @Test(arguments: all) func eachConflictSaysWhatAndWhere(_ conflict: StoreConflict) {
        let error = DomainError.conflict(conflict)
        #expect(!error.messageZH.isEmpty && !error.messageEN.isEmpty)
        #expect(error.messageZH.unicodeScalars.contains { $0.value >= 0x4E00 }, "Chinese first")
        #expect(error.metadata["field"] == conflict.field)
        #expect(error.reason == (conflict == .powerListVersionPublished(3) ? .failedPrecondition : .alreadyExists))
    }

    @Test func theNamedValueIsInTheMessage() {
        #expect(DomainError.conflict(.usernameTaken("wang")).messageZH.contains("wang"))
        #expect(DomainError.conflict(.agencyCodeTaken("411202-MZ")).messageEN.contains("411202-MZ"))
        #expect(DomainError.conflict(.powerListVersionPublished(7)).messageZH.contains("7"))
    }
}
