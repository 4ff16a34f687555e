/// The catalogue of errors: parties, and the numbers that identify people and organizations.
extension DomainError {
    public static let partyNameLength = invalidArgument(field: "name", zh: "名称须为 1 至 200 字", en: "the name must have 1 to 200 characters")
    public static let organizationNeedsCreditCode = invalidArgument(
        field: "credit_code", zh: "组织须有统一社会信用代码", en: "an organization needs its unified social credit code")
    public static let organizationHasNoIDNumber = invalidArgument(
        field: "id_number", zh: "组织没有身份证号码", en: "an organization has no resident ID number")
    public static let institutionTypeMissing = invalidArgument(field: "institution_type", zh: "须注明机构类型", en: "name the institution's type")
    public static let capacityOutOfRange = invalidArgument(
        field: "capacity", zh: "床位（容量）须在 0 至 100000 之间", en: "capacity must be between 0 and 100000")
    public static let onlyInstitutionsHaveType = invalidArgument(
        field: "institution_type", zh: "只有机构才有类型和容量", en: "only an institution has a type and capacity")
    public static let personNeedsIDNumber = invalidArgument(field: "id_number", zh: "自然人须有身份证号码", en: "a person needs a resident ID number")
    public static let personHasNoOrganizationFields = invalidArgument(
        field: "credit_code", zh: "自然人没有信用代码、机构类型或容量", en: "a person has no credit code, institution type or capacity")

    public static func unknownInstitutionType(_ text: String, allowed: [String]) -> DomainError {
        invalidArgument(field: "institution_type", zh: "未知机构类型「\(text)」", en: "institution_type must be one of \(allowed.joined(separator: ", "))")
    }

    /// Why a unified social credit code (GB 32100-2015) is not valid.
    public enum CreditCodeFlaw: Sendable {
        case shape, divisionCode, checkCharacter
    }

    public static func creditCodeInvalid(_ flaw: CreditCodeFlaw) -> DomainError {
        let (zh, en): (String, String) =
            switch flaw {
            case .shape: ("须为 18 位数字或大写字母（不含 I、O、S、V、Z）", "it has 18 digits or capital letters (no I, O, S, V, Z)")
            case .divisionCode: ("第 3 至 8 位须为行政区划代码", "characters 3 to 8 must be a division code")
            case .checkCharacter: ("校验码不符", "its check character does not match")
            }
        return invalidArgument(field: "credit_code", zh: "统一社会信用代码无效：\(zh)", en: "the unified social credit code is not valid: \(en)")
    }

    /// Why a resident ID number (GB 11643-1999) is not valid.
    public enum IDNumberFlaw: Sendable {
        case shape, checkCharacter, birthDate
    }

    public static func idNumberInvalid(_ flaw: IDNumberFlaw) -> DomainError {
        let (zh, en): (String, String) =
            switch flaw {
            case .shape: ("须为 18 位，前 17 位为数字，末位为数字或 X", "it has 18 characters: 17 digits, then a digit or X")
            case .checkCharacter: ("校验码不符", "its check character does not match")
            case .birthDate: ("出生日期无效", "its date of birth is not a real date")
            }
        return invalidArgument(field: "id_number", zh: "身份证号码无效：\(zh)", en: "the resident ID number is not valid: \(en)")
    }

    /// What of the agency's password rules a new password breaks.
    public enum PasswordFlaw: Sendable {
        case tooShort(minimum: Int)
        case tooLong
        case tooFewKinds(minimum: Int)
        case containsUsername
    }

    public static func passwordPolicy(_ flaw: PasswordFlaw) -> DomainError {
        let (zh, en): (String, String) =
            switch flaw {
            case .tooShort(let minimum): ("密码至少需要 \(minimum) 个字符", "a password needs at least \(minimum) characters")
            case .tooLong: ("密码不能超过 1024 个字符", "a password may have at most 1024 characters")
            case .tooFewKinds(let minimum):
                (
                    "密码须包含至少 \(minimum) 类字符（小写字母、大写字母、数字、符号）",
                    "a password needs at least \(minimum) kinds of characters (lower case, upper case, digits, symbols)"
                )
            case .containsUsername: ("密码不能包含用户名", "a password may not contain the username")
            }
        return DomainError(.passwordPolicy, zh: zh, en: en, metadata: ["field": "password"])
    }
}
