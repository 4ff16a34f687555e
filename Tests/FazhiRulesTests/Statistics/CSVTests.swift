import Foundation
import Testing

@testable import FazhiRules

@Suite struct CSVTests {
    @Test func fieldsAreQuotedAsRFC4180Says() {
        #expect(CSV.record(["a", "b"]) == "a,b\r\n")
        #expect(CSV.record(["湖滨区, 某协会", "说\"明\"", "两\n行", ""]) == "\"湖滨区, 某协会\",\"说\"\"明\"\"\",\"两\n行\",\r\n")
        #expect(CSV.record(["\r\n"]) == "\"\r\n\"\r\n")
    }

    @Test func recordsEndInCRLFWhileNewlinesInsideFieldsStay() {
        let input = Data("a,b\n\"两\n行\",\"说\"\"明\"\"\"\nc,d\r\n".utf8)
        let expected = Data("a,b\r\n\"两\n行\",\"说\"\"明\"\"\"\r\nc,d\r\n".utf8)
        var whole = CSV.RecordEnds()
        #expect(whole.convert(input) == expected && whole.records == 3)
        // Split anywhere (inside a quoted field, between CR and LF), the result is the same.
        for cut in 0...input.count {
            var ends = CSV.RecordEnds()
            let joined = ends.convert(input.prefix(cut)) + ends.convert(input.dropFirst(cut))
            #expect(joined == expected && ends.records == 3, "cut at \(cut)")
        }
    }

    @Test func aPersonIsNeverNamedInACaseRow() {
        let row = CaseExportRow(
            caseID: UUID(), itemCode: "MZ-CF-001", itemName: "处罚", category: "penalty", party: "赵六", partyType: "person",
            area: "411202", openedOn: nil, status: "open", decisionNumber: nil, decidedOn: nil, fine: nil)
        #expect(row.party == CaseExportRow.naturalPerson && !row.fields.contains("赵六"))
    }
}
