/// The State Council's yearly holiday schedule 节假日安排: statutory holidays and the
/// weekend days declared working days 调休.
public struct HolidaySchedule: Equatable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// 法定节假日
        case holiday
        /// 调休上班日: a weekend day that is a working day
        case workday
    }

    public struct Entry: Equatable, Sendable {
        public let day: CalendarDay
        public let kind: Kind
        public let name: String

        public init(day: CalendarDay, kind: Kind, name: String) {
            self.day = day
            self.kind = kind
            self.name = name
        }
    }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case missingHeader(found: String)
        case badLine(number: Int, reason: String)
        case duplicateDay(number: Int, day: CalendarDay)
        case empty

        public var description: String {
            switch self {
            case .missingHeader(let found):
                return "首行应为 date,kind,name / the first line must be date,kind,name, found \"\(found)\""
            case .badLine(let number, let reason):
                return "第 \(number) 行有误 / line \(number): \(reason)"
            case .duplicateDay(let number, let day):
                return "第 \(number) 行日期重复 / line \(number): \(day) is listed twice"
            case .empty:
                return "文件没有任何日期 / the file lists no days"
            }
        }
    }

    /// The year whose schedule this is. A schedule may reach into the previous year
    /// (2023's New Year holiday began on 2022-12-31).
    public let year: Int
    public let entries: [Entry]

    public init(year: Int, entries: [Entry]) {
        self.year = year
        self.entries = entries.sorted { $0.day < $1.day }
    }

    /// Parses the CSV shape of `holidays-cn-YYYY.csv`: `date,kind,name`, one day a line.
    /// Without an explicit year, the schedule's year is the year most of its days fall in.
    public static func parse(csv text: String, year explicitYear: Int? = nil) throws -> HolidaySchedule {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: [" ", "\t", "\u{FEFF}"]) }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard let header = lines.first else { throw ParseError.empty }
        guard header.lowercased() == "date,kind,name" else { throw ParseError.missingHeader(found: header) }

        var entries: [Entry] = []
        var seen: Set<CalendarDay> = []
        for (offset, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let number = offset + 1
            let fields = line.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else {
                throw ParseError.badLine(number: number, reason: "需要三个字段 / expected three fields")
            }
            let day: CalendarDay
            do { day = try CalendarDay(accepting: fields[0]) } catch {
                throw ParseError.badLine(number: number, reason: String(describing: error))
            }
            guard let kind = Kind(rawValue: String(fields[1])) else {
                throw ParseError.badLine(
                    number: number, reason: "类型应为 holiday 或 workday / kind must be holiday or workday")
            }
            if kind == .workday && !day.isWeekend {
                throw ParseError.badLine(
                    number: number,
                    reason: "\(day) 不是周末，调休上班日只能是周末 / \(day) is not a weekend day; only a weekend day can be a make-up working day")
            }
            let name = String(fields[2])
            guard !name.isEmpty else {
                throw ParseError.badLine(number: number, reason: "缺少名称 / the name is empty")
            }
            guard seen.insert(day).inserted else { throw ParseError.duplicateDay(number: number, day: day) }
            entries.append(Entry(day: day, kind: kind, name: name))
        }
        guard !entries.isEmpty else { throw ParseError.empty }
        let year = explicitYear ?? mostCommonYear(of: entries)
        return HolidaySchedule(year: year, entries: entries)
    }

    private static func mostCommonYear(of entries: [Entry]) -> Int {
        var counts: [Int: Int] = [:]
        for entry in entries { counts[entry.day.year, default: 0] += 1 }
        return counts.max { ($0.value, -$0.key) < ($1.value, -$1.key) }!.key
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        String(self).trimmingCharacters(in: set)
    }
}
