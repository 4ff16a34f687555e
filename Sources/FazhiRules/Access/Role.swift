/// What a user may do within their agency. Granted per agency; a user holds any number.
public enum Role: String, CaseIterable, Sendable, Hashable, Comparable {
    /// 执法人员: holds an enforcement credential and acts in cases.
    case officer
    /// 证件管理员: runs the enforcement corps and its credentials.
    case credentialAdmin = "credential_admin"
    /// 法制审核人员: reviews major decisions.
    case legalReviewer = "legal_reviewer"
    /// 负责人: approves decisions and signs withdrawals.
    case approver
    /// 法制/统计: statistics, exports, disclosure deadlines and drafts.
    case complianceOfficer = "compliance_officer"
    /// 监督: reads everything of the agency, changes nothing.
    case auditor
    /// 系统管理员: users, roles, settings, the power list.
    case admin
    /// The operator: agencies, calendars, the platform audit. Only in the `platform` agency.
    case platformAdmin = "platform_admin"

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Parses a role name, naming the bad one in the error.
    public static func parse(_ name: String) throws -> Role {
        guard let role = Role(rawValue: name) else {
            throw DomainError.unknownRole(name)
        }
        return role
    }
}
