import Foundation

/// One case as exports list it: organizations named, natural persons never (自然人).
public struct CaseExportRow: Sendable, Equatable, Codable {
    public var caseID: UUID
    public var itemCode: String
    public var itemName: String
    public var category: String
    public var party: String
    public var partyType: String
    public var area: String
    public var openedOn: CalendarDay?
    public var status: String
    public var decisionNumber: String?
    public var decidedOn: CalendarDay?
    public var fine: Decimal?

    public init(
        caseID: UUID, itemCode: String, itemName: String, category: String, party: String, partyType: String, area: String,
        openedOn: CalendarDay?, status: String, decisionNumber: String?, decidedOn: CalendarDay?, fine: Decimal?
    ) {
        self.caseID = caseID
        self.itemCode = itemCode
        self.itemName = itemName
        self.category = category
        self.party = partyType == "person" ? CaseExportRow.naturalPerson : party
        self.partyType = partyType
        self.area = area
        self.openedOn = openedOn
        self.status = status
        self.decisionNumber = decisionNumber
        self.decidedOn = decidedOn
        self.fine = fine
    }

    /// What stands where a natural person's name would.
    public static let naturalPerson = "自然人"

    public static let headers = ["案件编号", "事项编码", "事项名称", "职权类别", "当事人", "当事人类型", "区域", "立案日期", "状态", "决定书文号", "决定日期", "罚款（元）"]

    public var fields: [String] {
        [
            caseID.uuidString.lowercased(), itemCode, itemName, category, party, partyType, area, openedOn?.description ?? "", status,
            decisionNumber ?? "", decidedOn?.description ?? "", fine.map { "\($0)" } ?? "",
        ]
    }
}

/// The tables of an export: the year's figures and the case-level rows.
public enum StatisticsTable: String, Sendable, CaseIterable {
    case summary, categories, items, months, cases

    public var title: String {
        switch self {
        case .summary: "概况"
        case .categories: "按职权类别"
        case .items: "按事项"
        case .months: "按月"
        case .cases: "案件"
        }
    }

    /// The small tables' headers and rows (the case rows are streamed separately).
    public func rows(_ s: AnnualStatistics) -> (headers: [String], rows: [[String]]) {
        switch self {
        case .summary:
            let fields = s.publicFields
            return (
                ["指标", "数值"], AnnualStatistics.fieldOrder.compactMap { key in fields[key].map { [AnnualStatistics.fieldNames[key] ?? key, $0] } }
            )
        case .categories:
            return (["职权类别", "立案", "决定"], s.casesByPowerCategory.map { [$0.category, String($0.cases), String($0.decisions)] })
        case .items:
            return (
                ["事项编码", "事项名称", "职权类别", "立案", "决定"],
                s.casesByItem.map { [$0.itemCode, $0.itemName, $0.category, String($0.cases), String($0.decisions)] }
            )
        case .months:
            return (
                ["月份", "立案", "决定", "检查", "公示"],
                s.months.map { [String($0.month), String($0.casesOpened), String($0.decisions), String($0.inspections), String($0.disclosures)] }
            )
        case .cases:
            return (CaseExportRow.headers, [])
        }
    }
}

/// RFC 4180: fields separated by commas, records by CRLF; a field holding a comma, a quote,
/// CR or LF is quoted, its quotes doubled. Written here: the mirrored CSV packages write
/// to files and streams, not to the chunks a streaming RPC sends.
public enum CSV {
    /// The UTF-8 byte order mark, so spreadsheet programs read Chinese correctly.
    public static let byteOrderMark = "\u{FEFF}"

    public static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    static func field(_ value: String) -> String {
        // Bytes, not characters: a comma, quote, CR or LF is one ASCII byte in UTF-8, and
        // scanning bytes skips grapheme breaking on every field of a million rows.
        guard value.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// An export's bytes, produced in pieces so a large one streams: a head, the case rows a
/// page at a time, a tail.
public enum StatisticsExportFormat: String, Sendable, CaseIterable {
    case csv, json

    /// The file's beginning: for CSV the byte order mark and the table's header (and, for
    /// a small table, all of it); for JSON the figures and the opening of the case list.
    /// The head of the CSV of case rows, which needs none of the year's figures.
    public static let csvCasesHead = Data((CSV.byteOrderMark + CSV.record(CaseExportRow.headers)).utf8)

    public func head(_ statistics: AnnualStatistics, table: StatisticsTable) throws -> Data {
        switch self {
        case .csv:
            let (headers, rows) = table.rows(statistics)
            return Data((CSV.byteOrderMark + CSV.record(headers) + rows.map(CSV.record).joined()).utf8)
        case .json:
            let figures = String(decoding: try Self.encoder.encode(statistics), as: UTF8.self)
            return Data("{\"statistics\":\(figures),\"cases\":[".utf8)
        }
    }

    /// Case rows; `first` is whether none were written before.
    public func rows(_ rows: [CaseExportRow], first: Bool) throws -> Data {
        switch self {
        case .csv:
            return Data(rows.map { CSV.record($0.fields) }.joined().utf8)
        case .json:
            var out = Data()
            for (index, row) in rows.enumerated() {
                if !(first && index == 0) { out.append(UInt8(ascii: ",")) }
                out.append(try Self.encoder.encode(row))
            }
            return out
        }
    }

    public var tail: Data { self == .json ? Data("]}\n".utf8) : Data() }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
