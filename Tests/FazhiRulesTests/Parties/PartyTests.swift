import Crypto
import FazhiRules
import Foundation
import Testing

struct PartyTests {
    static let keys = PersonalDataKeys(sealing: SymmetricKey(size: .bits256), indexing: SymmetricKey(size: .bits256))
    static let hubin = try! DivisionCode("411202")

    /// A made-up credit code with a valid check character.
    static func creditCode(_ first17: String) -> String {
        let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
        let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
        let sum = zip(first17.map { alphabet.firstIndex(of: $0)! }, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return first17 + String(alphabet[(31 - sum % 31) % 31])
    }

    @Test func creditCodesAreCheckedByTheirCheckCharacter() throws {
        for known in ["91350100M000100Y43", "91110000802100433B", "91440300708461136T"] {
            #expect(try UnifiedSocialCreditCode(known).value == known)
        }
        #expect(try UnifiedSocialCreditCode("91350100m000100y43").value == "91350100M000100Y43", "lower case is accepted")
        for bad in ["91350100M000100Y44", "91350100M000100Y4", "9135010OM000100Y43", "91ABCDEFM000100Y43", ""] {
            let error = #expect(throws: DomainError.self, "\(bad)") { try UnifiedSocialCreditCode(bad) }
            #expect(error?.metadata["field"] == "credit_code")
        }
    }

    @Test func eachKindCarriesItsOwnIdentifier() throws {
        let code = Self.creditCode("52411202MJ1234567")
        _ = try NewParty(
            kind: .organization, name: "湖滨区慈善协会", creditCode: code, institutionType: nil, capacity: nil, idNumber: nil, area: Self.hubin,
            keys: Self.keys)
        let home = try NewParty(
            kind: .institution, name: "湖滨区福寿养老院", creditCode: code, institutionType: .elderlyCare, capacity: 120,
            idNumber: nil, area: Self.hubin, keys: Self.keys)
        #expect(home.capacity == 120 && home.institutionType == .elderlyCare && home.idNumberSealed == nil)
        let body = "41120219700202004"
        let idNumber = body + String(ResidentIDNumber.checkCharacter(for: body.map { Int(String($0))! }))
        let person = try NewParty(
            kind: .person, name: "赵六", creditCode: nil, institutionType: nil, capacity: nil, idNumber: idNumber, area: Self.hubin, keys: Self.keys)
        #expect(person.idNumberMasked == "4112**********" + idNumber.suffix(4))
        #expect(try Self.keys.open(person.idNumberSealed!) == idNumber && !person.idNumberSealed!.contains(Data(idNumber.utf8)))

        // The wrong identifier for the kind, or a missing one, names the field.
        let cases: [(Party.Kind, String?, Party.InstitutionType?, Int?, String?, String)] = [
            (.organization, nil, nil, nil, nil, "credit_code"),
            (.organization, code, .elderlyCare, 10, nil, "institution_type"),
            (.organization, code, nil, nil, idNumber, "id_number"),
            (.institution, code, nil, 10, nil, "institution_type"),
            (.institution, code, .elderlyCare, nil, nil, "capacity"),
            (.person, nil, nil, nil, nil, "id_number"),
            (.person, code, nil, nil, idNumber, "credit_code"),
        ]
        for (kind, credit, type, capacity, id, field) in cases {
            let error = #expect(throws: DomainError.self, "\(kind) \(field)") {
                try NewParty(
                    kind: kind, name: "某", creditCode: credit, institutionType: type, capacity: capacity, idNumber: id, area: Self.hubin,
                    keys: Self.keys)
            }
            #expect(error?.metadata["field"] == field)
        }
    }
}
