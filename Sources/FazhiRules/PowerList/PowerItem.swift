/// 权责清单事项: one power of the agency, what an act cites. docs/DOMAIN.md, "The power list".
public struct PowerItem: Sendable, Equatable, Codable {
    /// 职权类别.
    public enum Category: String, Sendable, CaseIterable, Codable {
        case licensing, penalty, coercion, levy, benefit, inspection, confirmation, reward, adjudication, other

        public var chineseName: String {
            switch self {
            case .licensing: "行政许可"
            case .penalty: "行政处罚"
            case .coercion: "行政强制"
            case .levy: "行政征收"
            case .benefit: "行政给付"
            case .inspection: "行政检查"
            case .confirmation: "行政确认"
            case .reward: "行政奖励"
            case .adjudication: "行政裁决"
            case .other: "其他"
            }
        }

        /// By its key (`penalty`) or its Chinese name (`行政处罚`).
        public static func parse(_ text: String) throws -> Category {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if let category = Category(rawValue: trimmed) ?? allCases.first(where: { $0.chineseName == trimmed }) { return category }
            throw DomainError.unknownPowerCategory(trimmed)
        }

        /// 行政处罚法 art. 42 and the inspection and coercion rules: at least two officers.
        public var lawfulMinimumOfficers: Int { [.penalty, .inspection, .coercion].contains(self) ? 2 : 1 }
    }

    /// 重大: whether decisions under the item are major (legal review first).
    public enum Major: String, Sendable, CaseIterable, Codable {
        case yes, no
        /// Major when the outcome revokes a registration or a fine reaches the agency's
        /// threshold (`case.major_fine_threshold`).
        case conditional
    }

    public var code: String
    public var name: String
    public var category: Category
    /// 执法类别: what a credential must cover to act under the item.
    public var enforcementCategory: String
    public var legalBasis: String
    public var unit: String
    public var major: Major
    public var minimumOfficers: Int
    /// Whether decisions are published; when they are, within this many working days.
    public var published: Bool
    public var disclosureWorkingDays: Int?

    public init(
        code: String, name: String, category: Category, enforcementCategory: String, legalBasis: String, unit: String,
        major: Major, minimumOfficers: Int, published: Bool, disclosureWorkingDays: Int?
    ) {
        self.code = code
        self.name = name
        self.category = category
        self.enforcementCategory = enforcementCategory
        self.legalBasis = legalBasis
        self.unit = unit
        self.major = major
        self.minimumOfficers = minimumOfficers
        self.published = published
        self.disclosureWorkingDays = disclosureWorkingDays
    }

    /// Checks every field; `minimumOthers` is the agency's `case.minimum_officers_other`.
    /// The error names the item and the field.
    public func validated(minimumOthers: Int) throws -> PowerItem {
        guard (2...32).contains(code.count), code.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "-") }) else {
            throw DomainError.itemCodeInvalid(code)
        }
        for (field, zh, value, limit) in [
            ("name", "名称", name, 200), ("enforcement_category", "执法类别", enforcementCategory, 50),
            ("legal_basis", "法律依据", legalBasis, 1000), ("unit", "实施机构", unit, 100),
        ] {
            guard (1...limit).contains(value.trimmingCharacters(in: .whitespaces).count) else {
                throw DomainError.powerItemInvalid(code, .textLength(field: field, label: zh, limit: limit))
            }
        }
        let floor = max(category.lawfulMinimumOfficers, category.lawfulMinimumOfficers == 2 ? 2 : minimumOthers)
        guard (floor...10).contains(minimumOfficers) else {
            throw DomainError.powerItemInvalid(code, .tooFewOfficers(categoryZH: category.chineseName, category: category.rawValue, floor: floor))
        }
        if published {
            guard let days = disclosureWorkingDays, (1...60).contains(days) else {
                throw DomainError.powerItemInvalid(code, .disclosureDeadlineMissing)
            }
        } else if disclosureWorkingDays != nil {
            throw DomainError.powerItemInvalid(code, .disclosureDeadlineUnpublished)
        }
        return self
    }
}
