import FazhiRules
import Foundation
import Testing

/// `data/power-list-hubin.csv` of this checkout.
func hubinPowerListCSV() throws -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../data/power-list-hubin.csv")
        .standardizedFileURL
    return try String(contentsOf: root, encoding: .utf8)
}

struct PowerListTests {
    func item(_ category: PowerItem.Category, officers: Int, published: Bool = true, days: Int? = 7) -> PowerItem {
        PowerItem(
            code: "MZ-T-001", name: "测试事项", category: category, enforcementCategory: "养老服务", legalBasis: "《养老机构管理办法》",
            unit: "养老服务科", major: .no, minimumOfficers: officers, published: published, disclosureWorkingDays: days)
    }

    @Test func theHubinListParsesAndIsValid() throws {
        let items = try PowerListCSV.parse(try hubinPowerListCSV())
        #expect(items.count == 14)
        #expect(items.first?.code == "MZ-XK-001" && items.first?.category == .licensing && items.first?.disclosureWorkingDays == 7)
        let penalty = try #require(items.first { $0.code == "MZ-CF-003" })
        #expect(
            penalty.category == .penalty && penalty.major == .conditional && penalty.minimumOfficers == 2 && penalty.enforcementCategory == "养老服务")
        let benefit = try #require(items.first { $0.code == "MZ-JF-004" })
        #expect(!benefit.published && benefit.disclosureWorkingDays == nil && benefit.legalBasis.contains("国发〔2015〕52号"))
        for item in items { _ = try item.validated(minimumOthers: 1) }
        #expect(try PowerListCSV.parse(PowerListCSV.render(items)) == items, "render and parse are inverse")
    }

    @Test func penaltiesInspectionsAndCoercionNeedTwoOfficersOthersTheAgencysMinimum() throws {
        for category in [PowerItem.Category.penalty, .inspection, .coercion] {
            let error = #expect(throws: DomainError.self) { try item(category, officers: 1).validated(minimumOthers: 1) }
            #expect(error?.metadata["field"] == "min_officers" && error?.metadata["code"] == "MZ-T-001")
            _ = try item(category, officers: 2).validated(minimumOthers: 1)
        }
        _ = try item(.licensing, officers: 1).validated(minimumOthers: 1)
        #expect(throws: DomainError.self, "the agency raised the minimum for other powers") {
            try item(.licensing, officers: 1).validated(minimumOthers: 2)
        }
        #expect(throws: DomainError.self) { try item(.licensing, officers: 11).validated(minimumOthers: 1) }
    }

    @Test func aPublishedItemNeedsADeadlineAndAnUnpublishedOneHasNone() throws {
        #expect(throws: DomainError.self) { try item(.licensing, officers: 1, published: true, days: nil).validated(minimumOthers: 1) }
        #expect(throws: DomainError.self) { try item(.licensing, officers: 1, published: false, days: 7).validated(minimumOthers: 1) }
        _ = try item(.benefit, officers: 1, published: false, days: nil).validated(minimumOthers: 1)
    }

    @Test func aBadFileNamesTheLineAndTheField() throws {
        let header = PowerListCSV.header.joined(separator: ",")
        let wrongMajor = #expect(throws: DomainError.self) {
            try PowerListCSV.parse("\(header)\nMZ-XK-001,行政许可,名称,依据,社会组织管理,科,maybe,1,yes,7 working days\n")
        }
        #expect(wrongMajor?.metadata["line"] == "2" && wrongMajor?.metadata["field"] == "major")
        let unknownCategory = #expect(throws: DomainError.self) {
            try PowerListCSV.parse("\(header)\nMZ-XK-001,行政命令,名称,依据,社会组织管理,科,no,1,yes,7 working days\n")
        }
        #expect(unknownCategory?.messageZH.contains("行政命令") == true)
        #expect(throws: DomainError.self, "short line") { try PowerListCSV.parse("\(header)\nMZ-XK-001,行政许可\n") }
        #expect(throws: DomainError.self, "wrong header") { try PowerListCSV.parse("code,name\n") }
        let duplicate = "\(header)\nMZ-XK-001,行政许可,名称,依据,社会组织管理,科,no,1,yes,7 working days\n"
        #expect(throws: DomainError.self, "duplicate code") {
            try PowerListCSV.parse(duplicate + "MZ-XK-001,行政许可,名称,依据,社会组织管理,科,no,1,yes,7 working days\n")
        }
        // Quoted fields may hold commas and quotes.
        let quoted = try PowerListCSV.parse("\(header)\nMZ-XK-009,行政许可,\"名称,含逗号\",\"依据\"\"引号\"\"\",社会组织管理,科,no,1,yes,7 working days\n")
        #expect(quoted.first?.name == "名称,含逗号" && quoted.first?.legalBasis == "依据\"引号\"")
    }

    @Test func changesBetweenVersionsAreNamed() throws {
        let items = try PowerListCSV.parse(try hubinPowerListCSV())
        var next = items.filter { $0.code != "MZ-JF-003" }
        next[0].minimumOfficers = 2
        next.append(item(.inspection, officers: 2))
        let changes = PowerListChanges(from: items, to: next, version: 2, reason: "调整")
        #expect(changes.added == ["MZ-T-001"] && changes.changed == [items[0].code] && changes.removed == ["MZ-JF-003"])
        #expect(PowerListChanges(from: items, to: items, version: 2, reason: "x").isEmpty)
    }
}
