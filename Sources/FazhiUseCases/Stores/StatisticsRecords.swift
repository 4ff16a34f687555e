import FazhiRules
import Foundation

/// The figures, computed by the store (in SQL, where the rows are).
public protocol StatisticsRecords: Sendable {
    /// Every figure of `year` except the agency's name and code.
    func annual(year: Int, into statistics: inout AnnualStatistics) async throws
    /// How many cases were opened or decided in `year`.
    func caseRowCount(year: Int) async throws -> Int
    /// Those cases in id order after `after`, at most `limit`.
    func caseRows(year: Int, after: UUID?, limit: Int) async throws -> [CaseExportRow]
    /// The same rows as RFC 4180 CSV records (`CaseExportRow.fields`, no header, CRLF), in
    /// id order, handed to `consume` in chunks as the store produces them, each with the
    /// number of records written so far.
    func caseRowsCSV(year: Int, into consume: @escaping @Sendable (Data, Int) async throws -> Void) async throws
}
