import FazhiRules
import FazhiUseCases

/// The bureau's staff and enforcement corps, and each credential's life from its first
/// issue to the end of the plan: four officers certified in 2018 (their credentials renewed
/// when the five-year term ends in 2023), thirteen in 2021, two more in 2023; yearly
/// training and reviews; in 2023 one review failed (suspended, then reinstated), one card
/// lost and replaced, one officer moved out of enforcement (revoked).
struct DemoCorps {
    struct Window {
        var from: CalendarDay
        var until: CalendarDay?
        var gaps: [ClosedRange<CalendarDay>] = []
    }

    /// Officer indexes by enforcement category.
    var byCategory: [String: [Int]] = [:]
    /// When each officer may act (credential active).
    var windows: [Window] = []

    /// Whether `officer` holds an active credential on every day from `first` to `last`.
    func available(_ officer: Int, _ first: CalendarDay, _ last: CalendarDay) -> Bool {
        let window = windows[officer]
        guard window.from <= first, window.until.map({ last < $0 }) ?? true else { return false }
        return !window.gaps.contains { $0.overlaps(first...last) }
    }

    /// `count` officers of `category` who may act throughout, in random order.
    func team(_ category: String, _ count: Int, _ first: CalendarDay, _ last: CalendarDay, _ random: inout DemoRandom) -> [Int] {
        let able = (byCategory[category] ?? []).filter { available($0, first, last) }
        precondition(able.count >= count, "the demo corps has too few \(category) officers for \(first)…\(last)")
        return random.sample(able, count)
    }

    /// The staff who act in the plan, by username.
    static let credentialAdmin = "renshi.zhou", legalReviewer = "fazhi.sun", approver = "juzhang.zheng", complianceOfficer = "hegui.feng"

    static let staff: [DemoPlan.Staff] = [
        .init(username: credentialAdmin, displayName: "周丽（人事科 证件管理员）", roles: [.credentialAdmin]),
        .init(username: legalReviewer, displayName: "孙敏（法制审核员）", roles: [.legalReviewer]),
        .init(username: approver, displayName: "郑建国（分管副局长）", roles: [.approver]),
        .init(username: complianceOfficer, displayName: "冯静（法制科 合规专员）", roles: [.complianceOfficer]),
        .init(username: "shenji.chen", displayName: "陈涛（纪检监察 审计员）", roles: [.auditor]),
    ]

    /// Unit, enforcement category, and officers certified in 2018, 2021 and 2023.
    static let units: [(unit: String, category: String, cohorts: [Int])] = [
        ("社会组织管理科", "社会组织管理", [1, 3, 0]),
        ("养老服务科", "养老服务", [1, 3, 1]),
        ("社会救助科", "社会救助", [1, 3, 1]),
        ("婚姻登记处", "婚姻登记", [1, 2, 0]),
        ("社会事务科", "殡葬管理", [0, 2, 0]),
    ]

    /// Exam day, issue day, and the first year of each cohort.
    static let cohorts: [(exam: CalendarDay, issue: CalendarDay)] = [
        (DemoTime.day(2018, 11, 17), DemoTime.day(2018, 12, 10)),
        (DemoTime.day(2021, 5, 22), DemoTime.day(2021, 6, 15)),
        (DemoTime.day(2023, 5, 20), DemoTime.day(2023, 6, 15)),
    ]

    /// The corps through the end of `lastYear` (the year of the load: later calls are
    /// dropped with the rest of what lies after it).
    static func plan(_ b: inout DemoPlanBuilder, through lastYear: Int) -> DemoCorps {
        var corps = DemoCorps()
        let setup = DemoTime.day(2018, 9, 3)
        for (index, person) in staff.enumerated() {
            b.staff.append(person)
            b.at(setup, 9, index, .createStaff(index))
        }
        var serial = 0
        for (cohort, dates) in cohorts.enumerated() {
            for unit in units {
                for member in 0..<unit.cohorts[cohort] {
                    serial += 1
                    let officer = b.officers.count
                    let position = cohort == 0 ? "科长" : (member == 0 && cohort == 1 ? "副科长" : "科员")
                    b.officers.append(
                        .init(
                            name: DemoIdentities.personName(&b.random), unit: unit.unit, position: position, category: unit.category,
                            idNumber: DemoIdentities.residentID(&b.random, born: 1970...1998), username: String(format: "zf%02d", serial)))
                    corps.byCategory[unit.category, default: []].append(officer)
                    corps.windows.append(Window(from: dates.issue))
                    let joined = dates.exam.adding(days: -30)
                    b.at(joined, 9, 0, .createOfficerAccount(officer))
                    b.at(joined, 9, 5, .createOfficer(officer))
                    b.at(dates.exam.adding(days: 10), 10, 0, .exam(officer: officer, day: dates.exam, score: b.random.int(68...96)))
                    b.at(dates.issue, 9, 30, .applyForCredential(officer: officer))
                    b.at(dates.issue, 15, 0, .issueCredential(officer: officer))
                }
            }
        }
        yearly(&b, &corps, through: lastYear)
        return corps
    }

    /// Training each December, the review of each finished year in March, renewal before
    /// the term ends, and the events of 2023.
    private static func yearly(_ b: inout DemoPlanBuilder, _ corps: inout DemoCorps, through lastYear: Int) {
        let officers = b.officers.indices
        let marriage = corps.byCategory["婚姻登记"]!
        let assistance = corps.byCategory["社会救助"]!
        let organizations = corps.byCategory["社会组织管理"]!
        // 2023's events, each on an officer of the 2021 cohort.
        let failedReview = marriage[1]
        let lostCard = assistance[1]
        let movedOut = organizations[2]
        let suspendedOn = DemoTime.day(2023, 3, 15)
        let reinstatedOn = DemoTime.day(2023, 6, 5)
        let revokedOn = DemoTime.day(2023, 9, 1)
        corps.windows[failedReview].gaps.append(suspendedOn...reinstatedOn)
        corps.windows[movedOut].until = revokedOn
        for officer in officers {
            let issued = corps.windows[officer].from
            var termStart = issued
            for year in issued.year...lastYear {
                if officer == movedOut && year > 2023 { break }
                let hours = officer == failedReview && year == 2022 ? 32 : b.random.int(40...72)
                b.at(DemoTime.day(year, 12, 20), 16, 0, .training(officer: officer, year: year, hours: hours))
                // The review of the year before, in the first half of March.
                let previous = year - 1
                if previous >= termStart.year, year > issued.year, !(officer == movedOut && year > 2023) {
                    let day = b.workingDay(onOrAfter: DemoTime.day(year, 3, b.random.int(1...13)))
                    let failed = officer == failedReview && previous == 2022
                    b.at(
                        failed ? suspendedOn : day, 10, b.random.int(0...50),
                        .review(
                            officer: officer, year: previous, outcome: failed ? .failedSuspend : .passed,
                            reason: failed ? "\(previous) 年度培训学时不足，审验不合格，暂扣证件" : "\(previous) 年度审验合格"))
                }
                // Renewed some weeks before the term ends.
                let termEnd = termStart.adding(years: 5).adding(days: -1)
                if termEnd.year == year {
                    let day = b.workingDay(onOrAfter: termEnd.adding(days: -21))
                    b.at(day, 14, 0, .succeed(officer: officer, replacement: false, reason: "有效期届满换发"))
                    termStart = day
                }
            }
        }
        b.at(reinstatedOn, 11, 0, .credentialEvent(officer: failedReview, .reinstate, reason: "补足培训学时并经复核，恢复执法资格"))
        b.at(DemoTime.day(2023, 4, 12), 9, 40, .succeed(officer: lostCard, replacement: true, reason: "证件遗失，登报声明作废后补发"))
        b.at(revokedOn, 10, 0, .credentialEvent(officer: movedOut, .revoke, reason: "调离行政执法岗位，收回证件"))
    }
}
