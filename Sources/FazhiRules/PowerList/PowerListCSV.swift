/// The power list as CSV, the form agencies keep it in: a header line
/// `code,category,name,legal_basis,enforcement_category,unit,major,min_officers,published,disclosure`,
/// then one item per line. `disclosure` is `N working days` for a published item and
/// `statistics only` for one that is not. Fields may be double-quoted ("" for a quote).
public enum PowerListCSV {
    public static let header = [
        "code", "category", "name", "legal_basis", "enforcement_category", "unit", "major", "min_officers", "published", "disclosure",
    ]

    /// The items of `text`, or an error naming the line and field that is wrong.
    public static func parse(_ text: String) throws -> [PowerItem] {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        guard let first = lines.first else { throw failure(line: 1, zh: "文件为空", en: "the file is empty") }
        let header = try fields(of: first, line: 1).map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\u{FEFF}", with: "") }
        guard header == Self.header else {
            throw failure(line: 1, zh: "表头须为 \(Self.header.joined(separator: ","))", en: "the header must be \(Self.header.joined(separator: ","))")
        }
        var items: [PowerItem] = []
        var seen: Set<String> = []
        for (offset, line) in lines.enumerated().dropFirst() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let number = offset + 1
            let values = try fields(of: line, line: number).map { $0.trimmingCharacters(in: .whitespaces) }
            guard values.count == Self.header.count else {
                throw failure(
                    line: number, zh: "应有 \(Self.header.count) 列，实有 \(values.count) 列",
                    en: "expected \(Self.header.count) fields, found \(values.count)")
            }
            do {
                let item = try item(values)
                guard seen.insert(item.code).inserted else {
                    throw DomainError.invalidArgument(field: "code", zh: "事项编码 \(item.code) 重复", en: "the item code \(item.code) appears twice")
                }
                items.append(item)
            } catch let error as DomainError {
                throw DomainError(
                    error.reason, zh: "第 \(number) 行：\(error.messageZH)", en: "line \(number): \(error.messageEN)",
                    metadata: error.metadata.merging(["line": String(number)]) { $1 })
            }
        }
        return items
    }

    private static func item(_ v: [String]) throws -> PowerItem {
        guard let major = PowerItem.Major(rawValue: v[6]) else {
            throw DomainError.invalidArgument(field: "major", zh: "「是否重大」须为 yes、no 或 conditional", en: "major must be yes, no or conditional")
        }
        guard let officers = Int(v[7]) else {
            throw DomainError.invalidArgument(field: "min_officers", zh: "最少执法人数须为整数", en: "min_officers must be a whole number")
        }
        guard let published = ["yes": true, "no": false][v[8]] else {
            throw DomainError.invalidArgument(field: "published", zh: "「是否公示」须为 yes 或 no", en: "published must be yes or no")
        }
        let disclosure = try disclosureDays(v[9])
        return PowerItem(
            code: v[0], name: v[2], category: try PowerItem.Category.parse(v[1]), enforcementCategory: v[4], legalBasis: v[3],
            unit: v[5], major: major, minimumOfficers: officers, published: published, disclosureWorkingDays: disclosure)
    }

    static func disclosureDays(_ text: String) throws -> Int? {
        if text == "statistics only" { return nil }
        let parts = text.split(separator: " ")
        guard parts.count == 3, parts[1] == "working", parts[2] == "days", let days = Int(parts[0]) else {
            throw DomainError.invalidArgument(
                field: "disclosure", zh: "公示期限须为「N working days」或「statistics only」",
                en: "disclosure must be \"N working days\" or \"statistics only\"")
        }
        return days
    }

    /// The items as CSV in the same form, header first.
    public static func render(_ items: [PowerItem]) -> String {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        let lines = items.map { item in
            [
                item.code, item.category.chineseName, item.name, item.legalBasis, item.enforcementCategory, item.unit, item.major.rawValue,
                String(item.minimumOfficers), item.published ? "yes" : "no",
                item.disclosureWorkingDays.map { "\($0) working days" } ?? "statistics only",
            ].map(field).joined(separator: ",")
        }
        return ([header.joined(separator: ",")] + lines).joined(separator: "\n") + "\n"
    }

    /// The comma-separated fields of one line, honouring double quotes.
    static func fields(of line: String, line number: Int) throws -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = Array(line).makeIterator()
        var pending: Character? = nil
        while let character = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" {
                            current.append("\"")
                        } else {
                            quoted = false
                            pending = next
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" && current.isEmpty {
                quoted = true
            } else if character == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        guard !quoted else { throw failure(line: number, zh: "引号未闭合", en: "a quoted field is not closed") }
        fields.append(current)
        return fields
    }

    private static func failure(line: Int, zh: String, en: String) -> DomainError {
        DomainError(.invalidArgument, zh: "第 \(line) 行：\(zh)", en: "line \(line): \(en)", metadata: ["line": String(line)])
    }
}
