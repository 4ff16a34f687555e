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
        guard let first = lines.first else { throw DomainError.powerListCSV(line: 1, .empty) }
        let header = try fields(of: first, line: 1).map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\u{FEFF}", with: "") }
        guard header == Self.header else {
            throw DomainError.powerListCSV(line: 1, .header(expected: Self.header.joined(separator: ",")))
        }
        var items: [PowerItem] = []
        var seen: Set<String> = []
        for (offset, line) in lines.enumerated().dropFirst() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let number = offset + 1
            let values = try fields(of: line, line: number).map { $0.trimmingCharacters(in: .whitespaces) }
            guard values.count == Self.header.count else {
                throw DomainError.powerListCSV(line: number, .fieldCount(expected: Self.header.count, found: values.count))
            }
            do {
                let item = try item(values)
                guard seen.insert(item.code).inserted else {
                    throw DomainError.itemCodeRepeated(item.code)
                }
                items.append(item)
            } catch let error as DomainError {
                throw DomainError.onCSVLine(number, error)
            }
        }
        return items
    }

    private static func item(_ v: [String]) throws -> PowerItem {
        guard let major = PowerItem.Major(rawValue: v[6]) else {
            throw DomainError.majorNotYesNoConditional
        }
        guard let officers = Int(v[7]) else {
            throw DomainError.minimumOfficersNotWhole
        }
        guard let published = ["yes": true, "no": false][v[8]] else {
            throw DomainError.publishedNotYesNo
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
            throw DomainError.disclosureDeadlineUnreadable
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
        guard !quoted else { throw DomainError.powerListCSV(line: number, .unclosedQuote) }
        fields.append(current)
        return fields
    }

}
