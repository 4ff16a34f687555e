import FazhiRules
import Foundation
import Testing

/// Every code a person may read has a Chinese and an English label, and no two codes of
/// one kind read the same. (The `switch` in each label makes a new code without one fail
/// to compile; these tests check what the labels say.)
@Suite struct VocabularyTests {
    static func labels<T: CaseIterable & Labelled & RawRepresentable>(_ type: T.Type) -> [(kind: String, code: String, label: Label)]
    where T.RawValue == String {
        T.allCases.map { (String(describing: type), $0.rawValue, $0.label) }
    }

    static let all =
        labels(CaseStep.self) + labels(CaseKind.self) + labels(EnforcementCase.Status.self) + labels(EnforcementCase.ReviewOutcome.self)
        + labels(PowerItem.Category.self) + labels(PowerItem.Major.self) + labels(Party.Kind.self) + labels(Party.InstitutionType.self)
        + labels(Credential.State.self) + labels(Credential.Review.Outcome.self) + labels(Authority.Refusal.self)
        + labels(Credential.EventName.self) + labels(Role.self) + labels(DisclosureEntry.Kind.self) + labels(DisclosureEntry.Action.self)
        + labels(DisclosureEntry.State.self) + labels(HolidaySchedule.Kind.self)

    @Test func everyCodeReadsInChineseAndEnglish() {
        for (kind, code, label) in Self.all {
            #expect(label.zh.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }, "\(kind).\(code) has no Chinese label")
            #expect(!label.en.isEmpty && label.en.allSatisfy(\.isASCII), "\(kind).\(code) has no English label")
        }
    }

    @Test func noTwoCodesOfAKindReadTheSame() {
        for (kind, entries) in Dictionary(grouping: Self.all, by: \.kind) {
            #expect(Set(entries.map(\.label.zh)).count == entries.count, "two codes of \(kind) share a Chinese label")
            #expect(Set(entries.map(\.label.en)).count == entries.count, "two codes of \(kind) share an English label")
        }
    }

    @Test func aCredentialsHistoryNamesEveryEventItKeeps() {
        let day = try! CalendarDay(iso: "2024-01-01")
        let events: [Credential.Event] = [
            .issue(number: "1"), .reject, .suspend, .reinstate, .revoke, .expire,
            .supersede(successor: "2", replacement: false), .supersede(successor: "2", replacement: true),
            .review(Credential.Review(year: 2023, trainingHours: 40, outcome: .passed, reviewer: "r", recordedOn: day)),
        ]
        for event in events { #expect(Credential.EventName(rawValue: event.name) != nil, "\(event.name) has no label") }
        // A successor's first transition (CredentialSuccession) and the application.
        for name in ["renewal", "replacement", "apply"] { #expect(Credential.EventName(rawValue: name) != nil, "\(name) has no label") }
        #expect(Credential.EventName.label(of: "renew").both == "换证 renewal")
    }
}

/// China Standard Time, computed from the offset: across the date line, New Year's Eve, and
/// a leap day.
@Suite struct BeijingTimeTests {
    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func anEveningInUTCIsTheNextMorningInBeijing() {
        let date = Self.utc("2023-11-22T16:30:05Z")
        #expect(BeijingTime.second(date) == "2023-11-23 00:30:05")
        #expect(BeijingTime.minute(date) == "2023-11-23 00:30")
        #expect(BeijingTime.day(date) == (try! CalendarDay(iso: "2023-11-23")))
        #expect(BeijingTime.rfc3339(date) == "2023-11-23T00:30:05+08:00")
        #expect(BeijingTime.secondWithZone(date) == "2023-11-23 00:30:05（北京时间）")
    }

    @Test func newYearsEveTurnsAtSixteenUTC() {
        #expect(BeijingTime.second(Self.utc("2023-12-31T15:59:59Z")) == "2023-12-31 23:59:59")
        #expect(BeijingTime.second(Self.utc("2023-12-31T16:00:00Z")) == "2024-01-01 00:00:00")
        #expect(BeijingTime.second(Self.utc("2024-02-28T16:00:00Z")) == "2024-02-29 00:00:00")
        #expect(BeijingTime.second(Date(timeIntervalSince1970: 1_703_951_999.9)) == "2023-12-30 23:59:59", "fractions round down")
    }

    @Test func beforeTheEpochAndOutOfRangeDoNotTrap() {
        #expect(BeijingTime.second(Self.utc("1969-12-31T15:00:00Z")) == "1969-12-31 23:00:00")
        _ = BeijingTime.second(Date(timeIntervalSince1970: .infinity))
        _ = BeijingTime.second(Date.distantFuture)
        _ = BeijingTime.second(Date.distantPast)
    }

    @Test func agreesWithFoundationForAYearOfHours() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        for hour in stride(from: 0, to: 24 * 366, by: 7) {
            let date = Self.utc("2024-01-01T00:00:00Z").addingTimeInterval(Double(hour) * 3_600 + 17)
            let p = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let expected = String(format: "%04d-%02d-%02d %02d:%02d:%02d", p.year!, p.month!, p.day!, p.hour!, p.minute!, p.second!)
            #expect(BeijingTime.second(date) == expected)
        }
    }
}
