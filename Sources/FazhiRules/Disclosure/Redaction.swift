import Foundation

/// What redaction looks for besides the fixed patterns (resident ID, phone and bank card
/// numbers): the words after which a natural person's name or home address follows. Each
/// agency may extend them (settings `disclosure.redaction_name_keywords` and
/// `disclosure.redaction_address_keywords`).
public struct RedactionRules: Sendable, Equatable {
    public var nameKeywords: [String]
    public var addressKeywords: [String]

    public init(nameKeywords: [String], addressKeywords: [String]) {
        self.nameKeywords = nameKeywords
        self.addressKeywords = addressKeywords
    }

    public static let standard = RedactionRules(
        // Not 法定代表人: an organization's legal representative is public by law.
        nameKeywords: ["当事人", "姓名", "负责人", "联系人", "申请人", "被申请人", "举报人", "投诉人", "证人", "监护人", "户主", "委托代理人"],
        addressKeywords: [
            "家庭住址", "住址", "家住", "现住址", "现住", "现居住地", "居住地", "居住于", "居住在", "住在", "暂住地", "暂住",
            "常住地", "户籍地址", "户籍所在地", "户籍地",
        ])

    /// The standard rules with an agency's extra words (a list separated by 、 or commas).
    public static func standard(extraNameKeywords: String, extraAddressKeywords: String) -> RedactionRules {
        func words(_ list: String) -> [String] {
            list.split(whereSeparator: { "、,，".contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        var rules = standard
        rules.nameKeywords += words(extraNameKeywords).filter { !rules.nameKeywords.contains($0) }
        rules.addressKeywords += words(extraAddressKeywords).filter { !rules.addressKeywords.contains($0) }
        return rules
    }
}

/// 脱敏: makes text fit for publication (docs/DOMAIN.md, "Public disclosure"). Natural persons'
/// names are masked to their surname and two stars (张**); resident ID, phone and bank
/// card numbers and home addresses are removed, in prose and in table cells. Names come
/// from the case (the parties who are persons, and the familiar 小X and 老X of each) and
/// from the text itself (a name keyword followed by a short name). Officers,
/// organizations, their registered domicile (住所) and legal representative stay named.
public struct Redactor: Sendable {
    public static let removed = "［已删除］"

    public let rules: RedactionRules
    /// Natural persons known to the case.
    public let knownNames: Set<String>
    /// Names that stay public even where a pattern would take them (officers).
    public let publicNames: Set<String>

    private let addressPattern: Pattern
    private let namePattern: Pattern

    public init(rules: RedactionRules = .standard, knownNames: Set<String> = [], publicNames: Set<String> = []) {
        self.rules = rules
        addressPattern = Self.afterKeywords(rules.addressKeywords, value: "[^，,。；;\\n|\\t）)]+")
        namePattern = Self.afterKeywords(rules.nameKeywords, value: "\\p{Han}{2,4}(?=[，,。；;、\\s（(|]|$)")
        self.knownNames = knownNames.filter { $0.count >= 2 }
        self.publicNames = publicNames
    }

    /// 张三 → 张**: the surname stays, the length does not show.
    public static func mask(_ name: String) -> String {
        guard let first = name.first else { return name }
        return String(first) + "**"
    }

    public func redact(_ text: String) -> String {
        var names = knownNames
        for name in knownNames { names.formUnion(Self.familiarForms(of: name)) }
        var result = redactTables(text, names: &names)
        for pattern in Self.numberPatterns { result = pattern.replacing(in: result, with: Self.removed) }
        result = addressPattern.replacing(in: result, template: "$1$2\(Self.removed)")
        result = Self.redactBareResidence(result)
        for match in namePattern.matches(in: result, group: 3) {
            if isPersonName(match) { names.insert(match) }
        }
        for name in names.subtracting(publicNames).sorted(by: { $0.count > $1.count }) {
            result = result.replacingOccurrences(of: name, with: Self.mask(name))
        }
        return result
    }

    /// How people are called besides their full name: 小丁 and 老丁 for 丁萱.
    static func familiarForms(of name: String) -> [String] {
        guard let surname = name.first, name.count >= 2 else { return [] }
        return ["小\(surname)", "老\(surname)"]
    }

    /// 住 on its own before a place (住湖滨区幸福路12号): the place is removed. Not 住所 (an
    /// organization's registered domicile, public by law), nor 住院, 住宿, 住房, 入住 and
    /// the like, and only when what follows names a place.
    static func redactBareResidence(_ text: String) -> String {
        let range = NSRange(text.startIndex..., in: text)
        var result = text
        for match in bareResidence.expression.matches(in: text, range: range).reversed() {
            guard let place = Range(match.range(at: 1), in: text), text[place].contains(where: { placeMarkers.contains($0) }),
                let target = Range(match.range(at: 1), in: result)
            else { continue }
            result.replaceSubrange(target, with: removed)
        }
        return result
    }

    static let bareResidence = Pattern("(?<![入在居家现暂户常留寄借租])住(?![所院宿房址建户持在店])[：:\\s]*([^，,。；;\\n|\\t）)]+)")
    static let placeMarkers: Set<Character> = ["省", "市", "区", "县", "镇", "乡", "村", "路", "街", "巷", "道", "弄", "号", "组", "室", "楼", "栋", "幢", "苑", "园"]

    /// A short run of Han characters that is not an organization's name.
    func isPersonName(_ candidate: String) -> Bool {
        (2...4).contains(candidate.count) && !publicNames.contains(candidate)
            && !Self.organizationSuffixes.contains(where: { candidate.hasSuffix($0) }) && !rules.nameKeywords.contains(candidate)
            && !rules.addressKeywords.contains(candidate)
    }

    static let organizationSuffixes = [
        "公司", "协会", "中心", "学会", "商会", "基金会", "研究会", "促进会", "联合会", "院", "所", "厂", "店", "局", "站", "部", "社", "委员会", "机构", "学校", "幼儿园", "医院", "政府", "办事处",
        "居委会", "村委会",
    ]

    /// Resident ID numbers (18 and 15 digits), bank card numbers (16 to 19 digits, maybe
    /// grouped), mobile and landline phone numbers, and numbers after a phone keyword.
    static let numberPatterns: [Pattern] = [
        Pattern("(?<![0-9A-Za-z])[1-9]\\d{5}(?:18|19|20)\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])\\d{3}[0-9Xx](?![0-9A-Za-z])"),
        Pattern("(?<![0-9A-Za-z])[1-9]\\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])\\d{3}(?![0-9A-Za-z])"),
        Pattern("(?<![0-9])(?:\\d[ -]?){15,18}\\d(?![0-9])"),
        Pattern("(?<![0-9])(?:\\+?86[- ]?)?1[3-9]\\d(?:[- ]?\\d{4}){2}(?![0-9])"),
        Pattern("(?<![0-9])(?:[(（]0\\d{2,3}[)）]\\s?|0\\d{2,3}-)\\d{7,8}(?:-\\d{1,5})?(?![0-9])"),
        Pattern("(?<=(?:电话|手机|联系方式|手机号|手机号码)[：:]?\\s{0,3})\\d[\\d -]{5,}\\d"),
    ]

    /// `(keyword)(separator)(value)`.
    static func afterKeywords(_ keywords: [String], value: String) -> Pattern {
        let alternatives = keywords.sorted { $0.count > $1.count }.map(NSRegularExpression.escapedPattern(for:)).joined(separator: "|")
        return Pattern("(\(alternatives))([：: ]*)(\(value))")
    }

    /// Tables (rows of cells separated by | or tabs): a header row naming a person or a
    /// home address marks its columns; the cells below are masked or removed.
    func redactTables(_ text: String, names: inout Set<String>) -> String {
        var lines = text.components(separatedBy: "\n")
        var columns: (separator: Character, names: Set<Int>, addresses: Set<Int>, count: Int)?
        for (number, line) in lines.enumerated() {
            guard let separator: Character = line.contains("|") ? "|" : (line.contains("\t") ? "\t" : nil) else {
                columns = nil
                continue
            }
            let cells = line.split(separator: separator, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let nameColumns = Set(cells.indices.filter { rules.nameKeywords.contains(cells[$0]) })
            let addressColumns = Set(cells.indices.filter { rules.addressKeywords.contains(cells[$0]) || cells[$0] == "地址" })
            if !nameColumns.isEmpty || !addressColumns.isEmpty {
                columns = (separator, nameColumns, addressColumns, cells.count)
                continue
            }
            guard let table = columns, table.separator == separator, table.count == cells.count else { continue }
            var parts = line.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
            for index in table.names where isPersonName(cells[index]) {
                names.insert(cells[index])
            }
            for index in table.addresses where !cells[index].isEmpty && !cells[index].allSatisfy({ $0 == "-" || $0 == ":" }) {
                parts[index] = parts[index].replacingOccurrences(of: cells[index], with: Self.removed)
            }
            lines[number] = parts.joined(separator: String(separator))
        }
        return lines.joined(separator: "\n")
    }

    /// A compiled ICU regular expression (lookbehind is needed, which Swift's Regex lacks).
    struct Pattern: @unchecked Sendable {  // NSRegularExpression is immutable and thread-safe
        let expression: NSRegularExpression

        init(_ pattern: String) {
            expression = try! NSRegularExpression(pattern: pattern)
        }

        func replacing(in text: String, with replacement: String) -> String {
            replacing(in: text, template: NSRegularExpression.escapedTemplate(for: replacement))
        }

        func replacing(in text: String, template: String) -> String {
            expression.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
        }

        func matches(in text: String, group: Int) -> [String] {
            expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
                Range(match.range(at: group), in: text).map { String(text[$0]) }
            }
        }
    }
}
