import Foundation

/// The figures, computed by the store (in SQL, where the rows are).
public protocol StatisticsRecords: Sendable {
    /// Every figure of `year` except the agency's name and code.
    func annual(year: Int, into statistics: inout AnnualStatistics) async throws
    /// How many cases were opened or decided in `year`.
    func caseRowCount(year: Int) async throws -> Int
    /// Those cases in id order after `after`, at most `limit`.
    func caseRows(year: Int, after: UUID?, limit: Int) async throws -> [CaseExportRow]
}
