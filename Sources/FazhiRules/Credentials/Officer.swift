import Foundation

/// 执法人员: an officer of the agency as stored. The resident ID number and contact details
/// exist only sealed, and masked for display.
public struct Officer: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var unit: String
    public var position: String
    /// The user account the officer signs in with, if any.
    public var userID: UUID?
    public var username: String?
    public var idNumberSealed: Data
    public var idNumberMasked: String
    public var contactSealed: Data?
    public var contactMasked: String?
    public var createdAt: Date

    public init(
        id: UUID, name: String, unit: String, position: String, userID: UUID?, username: String?, idNumberSealed: Data, idNumberMasked: String,
        contactSealed: Data?, contactMasked: String?, createdAt: Date
    ) {
        self.id = id
        self.name = name
        self.unit = unit
        self.position = position
        self.userID = userID
        self.username = username
        self.idNumberSealed = idNumberSealed
        self.idNumberMasked = idNumberMasked
        self.contactSealed = contactSealed
        self.contactMasked = contactMasked
        self.createdAt = createdAt
    }
}

/// An officer as one caller may see them: the ID number and contact unmasked only for
/// credential administrators (docs/DOMAIN.md, "Agencies, users and roles"); contact details
/// also for the officer themself; masked for everyone else.
public struct OfficerView: Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var unit: String
    public var position: String
    public var userID: UUID?
    public var username: String?
    public var idNumber: String
    public var idNumberMasked: Bool
    public var contact: String
    public var createdAt: Date
    public var examResults: [Credential.ExamResult]
    /// Training hours by year.
    public var trainingHours: [Int: Int]
    /// The agency's pass mark, against which each exam result passed or not.
    public var passMark: Int

    public init(
        _ officer: Officer, viewer: Caller, keys: PersonalDataKeys, examResults: [Credential.ExamResult], trainingHours: [Int: Int],
        passMark: Int
    ) throws {
        let administrator = viewer.roles.contains(.credentialAdmin)
        let themself = officer.userID == viewer.userID
        id = officer.id
        name = officer.name
        unit = officer.unit
        position = officer.position
        userID = officer.userID
        username = officer.username
        idNumber = administrator ? try keys.open(officer.idNumberSealed) : officer.idNumberMasked
        idNumberMasked = !administrator
        if let sealed = officer.contactSealed, administrator || themself {
            contact = try keys.open(sealed)
        } else {
            contact = officer.contactMasked ?? ""
        }
        createdAt = officer.createdAt
        self.examResults = examResults
        self.trainingHours = trainingHours
        self.passMark = passMark
    }
}

/// 联系方式: a phone number or similar, kept sealed; shown masked as its first three and
/// last four characters.
public enum ContactDetails {
    public static func validate(_ text: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard (5...40).contains(trimmed.count), trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || "+- ()".contains($0)) }) else {
            throw DomainError.contactInvalid
        }
        return trimmed
    }

    public static func masked(_ contact: String) -> String {
        guard contact.count > 7 else { return String(repeating: "*", count: contact.count) }
        return String(contact.prefix(3)) + String(repeating: "*", count: contact.count - 7) + String(contact.suffix(4))
    }
}
