import FazhiDemo
import FazhiRules
import FazhiUseCases
import Foundation
import Testing

/// The plan without a database: reproducible, and within the rules it will meet.
@Suite struct DemoPlanTests {
    static let calendar = WorkingDayCalendar(holidays: [], workdays: [], coveredYears: [])
    static let end = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15

    @Test func theSameSeedMakesTheSamePlan() {
        let one = DemoPlan(seed: 7, volume: .sample, calendar: Self.calendar, end: Self.end)
        let two = DemoPlan(seed: 7, volume: .sample, calendar: Self.calendar, end: Self.end)
        let other = DemoPlan(seed: 8, volume: .sample, calendar: Self.calendar, end: Self.end)
        #expect(one.callCount == two.callCount && one.officers.map(\.idNumber) == two.officers.map(\.idNumber))
        #expect(one.parties.map(\.name) == two.parties.map(\.name))
        #expect(one.officers.map(\.idNumber) != other.officers.map(\.idNumber))
    }

    @Test func everyIdentityIsValidAndDistinct() throws {
        let plan = DemoPlan(volume: .report, calendar: Self.calendar, end: Self.end)
        for officer in plan.officers { _ = try ResidentIDNumber(officer.idNumber) }
        for party in plan.parties {
            if let code = party.creditCode { _ = try UnifiedSocialCreditCode(code) }
            if let id = party.idNumber { _ = try ResidentIDNumber(id) }
        }
        let names = plan.parties.filter { $0.kind != .person }.map(\.name)
        #expect(Set(names).count == names.count, "organizations and institutions are named once")
        #expect(plan.parties.filter { $0.institutionType == .elderlyCare }.count == 12)
        #expect(plan.officers.count == 19 && Set(plan.officers.map(\.username)).count == 19)
    }

    @Test func theReportVolumeCountsTheReportsRegistrations() {
        let sample = DemoPlan(volume: .sample, calendar: Self.calendar, end: Self.end)
        let report = DemoPlan(volume: .report, calendar: Self.calendar, end: Self.end)
        // 2 529 + 306 persons against 148 + 30: the difference is the report's extra acts.
        #expect(report.parties.count - sample.parties.count == (2529 - 148) + (306 - 30))
    }

    @Test func nothingHappensAfterTheEnd() {
        let early = DemoPlan(volume: .sample, calendar: Self.calendar, end: Date(timeIntervalSince1970: 1_672_531_200))  // 2023-01-01
        let full = DemoPlan(volume: .sample, calendar: Self.calendar, end: Self.end)
        #expect(early.callCount > 0 && early.callCount < full.callCount / 5)
    }
}
