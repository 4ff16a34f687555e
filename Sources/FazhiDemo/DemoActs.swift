import FazhiRules
import FazhiUseCases
import Foundation

/// The bureau's 2023 enforcement acts: the two safety inspection rounds of the 12 elderly
/// care institutions with every rectification order closed (one of them late), the annual
/// inspection of social organizations, registrations, penalties with legal review, social
/// assistance grants and marriage registrations; and in January 2024 the publication of
/// the year's figures.
enum DemoActs {
    static func plan(_ b: inout DemoPlanBuilder, corps: DemoCorps, volume: DemoVolume) {
        let start = DemoTime.day(2023, 1, 3)
        let elderlyClerk = corps.byCategory["养老服务"]![0]
        let organizationClerk = corps.byCategory["社会组织管理"]![0]
        var names = Set<String>()
        var institutions: [Int] = []
        for (index, institution) in DemoIdentities.elderlyCareInstitutions.enumerated() {
            let party = b.party(
                .init(
                    kind: .institution, name: institution.name, creditCode: DemoIdentities.creditCode(&b.random, type: "2"),
                    institutionType: .elderlyCare, capacity: institution.capacity, idNumber: nil, area: nil))
            b.at(start, 9, index, .createParty(party, by: elderlyClerk))
            institutions.append(party)
        }
        var organizations: [Int] = []
        for index in 0..<80 {
            let group = index % 3 != 2
            let party = b.party(
                .init(
                    kind: .organization, name: DemoIdentities.organizationName(&b.random, group: group, taken: &names),
                    creditCode: DemoIdentities.creditCode(&b.random, type: group ? "1" : "2"), institutionType: nil, capacity: nil,
                    idNumber: nil, area: nil))
            b.at(start, 10, index, .createParty(party, by: organizationClerk))
            organizations.append(party)
        }

        elderlyCareRound(&b, corps, institutions, DemoTime.day(2023, 3, 1), DemoTime.day(2023, 4, 21), withFindings: 7, late: true)
        elderlyCareRound(&b, corps, institutions, DemoTime.day(2023, 9, 4), DemoTime.day(2023, 10, 27), withFindings: 4, late: false)
        annualInspections(&b, corps, Array(organizations.prefix(60)))
        registrations(&b, corps, existing: Array(organizations.suffix(20)), names: &names)
        penalties(&b, corps, organizations: organizations, institutions: institutions)
        grants(&b, corps, volume)
        marriages(&b, corps, volume)
        b.at(DemoTime.day(2024, 1, 15), 10, 0, .publishStatistics(year: 2023))
    }

    // MARK: Inspections

    static let elderlyCareFindings: [(code: String, description: String)] = [
        ("FIRE-1", "部分灭火器压力不足，未按期检测"), ("FIRE-2", "二楼疏散通道堆放杂物"), ("FIRE-3", "消防控制室夜间巡查记录缺失"),
        ("FOOD-1", "食品留样不足 48 小时"), ("FOOD-2", "两名厨房从业人员健康证明过期"), ("BLDG-1", "配楼外墙瓷砖空鼓，存在脱落隐患"),
        ("BLDG-2", "卫生间未设扶手，地面未做防滑处理"),
    ]

    static let organizationFindings: [(code: String, description: String)] = [
        ("GEN-1", "住所变更后未办理变更登记"), ("GEN-2", "财务管理制度未执行，未按规定使用票据"), ("GEN-3", "活动场所消防设施不足"),
    ]

    /// One safety inspection of each institution between `first` and `last`; `withFindings`
    /// of them get rectification orders, and with `late` one is re-inspected only after its
    /// deadline (15 working days) has passed.
    static func elderlyCareRound(
        _ b: inout DemoPlanBuilder, _ corps: DemoCorps, _ institutions: [Int], _ first: CalendarDay, _ last: CalendarDay,
        withFindings: Int, late: Bool
    ) {
        let days = b.workingDays(first, last)
        let flagged = b.random.sample(Array(institutions.indices), withFindings)
        for (index, institution) in institutions.enumerated() {
            let day = days[index * days.count / institutions.count]
            let findings = flagged.contains(index) ? b.random.sample(elderlyCareFindings, b.random.int(1...3)) : []
            let reinspection = b.addingWorkingDays(late && index == flagged[0] ? 19 : b.random.int(6...13), after: day)
            let team = corps.team("养老服务", 2, day, reinspection, &b.random)
            inspection(
                &b, item: "MZ-JC-001", party: institution, team: team, day: day, findings: findings, reinspection: reinspection,
                text: "养老机构安全生产检查（消防、食品安全、房屋建筑）")
        }
    }

    /// 年度检查 of social organizations, April to June; eight get rectification orders.
    static func annualInspections(_ b: inout DemoPlanBuilder, _ corps: DemoCorps, _ organizations: [Int]) {
        let days = b.workingDays(DemoTime.day(2023, 4, 3), DemoTime.day(2023, 6, 30))
        let flagged = Set(b.random.sample(Array(organizations.indices), 8))
        for (index, organization) in organizations.enumerated() {
            let day = days[index * days.count / organizations.count]
            let findings = flagged.contains(index) ? b.random.sample(organizationFindings, b.random.int(1...2)) : []
            let reinspection = b.addingWorkingDays(b.random.int(8...12), after: day)
            let team = corps.team("社会组织管理", 2, day, reinspection, &b.random)
            inspection(
                &b, item: "MZ-JC-002", party: organization, team: team, day: day, findings: findings, reinspection: reinspection,
                text: "社会组织年度检查")
        }
    }

    static func inspection(
        _ b: inout DemoPlanBuilder, item: String, party: Int, team: [Int], day: CalendarDay,
        findings: [(code: String, description: String)], reinspection: CalendarDay, text: String
    ) {
        let k = b.newCase()
        let minute = b.random.int(0...40)
        b.at(day, 9, minute, .kase(k, .open(item: item, party: party, officers: team, text: "\(text)：立案")))
        b.at(day, 9, minute + 5, .kase(k, .confirm(officer: team[1])))
        b.at(day, 10, minute, .kase(k, .take(.inspect, officers: team, intended: nil, text: "\(text)：现场检查，出示执法证件")))
        b.at(day, 10, minute + 5, .kase(k, .confirm(officer: team[1])))
        if findings.isEmpty {
            b.at(day, 16, minute, .kase(k, .close(officer: team[0])))
            return
        }
        b.at(day, 11, minute, .kase(k, .findings(officer: team[0], findings)))
        b.at(reinspection, 9, minute, .kase(k, .take(.reinspect, officers: team, intended: nil, text: "复查整改情况")))
        b.at(reinspection, 9, minute + 5, .kase(k, .confirm(officer: team[1])))
        b.at(reinspection, 11, minute, .kase(k, .verifyAll(officer: team[0])))
        b.at(reinspection, 16, minute, .kase(k, .close(officer: team[0])))
    }

    // MARK: Licensing, grants, confirmation (one officer; approved by the deputy director)

    /// 社会组织登记 under MZ-XK-001 (social groups) and MZ-XK-002 (private non-enterprise
    /// units): new organizations, changes and deregistrations. The last two, opened at the
    /// end of December, are decided in January.
    static func registrations(_ b: inout DemoPlanBuilder, _ corps: DemoCorps, existing: [Int], names: inout Set<String>) {
        let kinds: [(item: String, group: Bool, outcome: String, basis: String, count: Int)] = [
            ("MZ-XK-001", true, "准予成立登记", "《社会团体登记管理条例》第十一条、第十二条", 10),
            ("MZ-XK-001", true, "准予变更登记", "《社会团体登记管理条例》第十八条", 6),
            ("MZ-XK-001", true, "准予注销登记", "《社会团体登记管理条例》第十九条、第二十条", 2),
            ("MZ-XK-002", false, "准予成立登记", "《民办非企业单位登记管理暂行条例》第八条、第十一条", 8),
            ("MZ-XK-002", false, "准予变更登记", "《民办非企业单位登记管理暂行条例》第十五条", 5),
            ("MZ-XK-002", false, "准予注销登记", "《民办非企业单位登记管理暂行条例》第十六条", 1),
        ]
        var acts = kinds.flatMap { kind in Array(repeating: kind, count: kind.count) }
        acts.shuffle(using: &b.random)
        let days = b.workingDays(DemoTime.day(2023, 2, 6), DemoTime.day(2023, 12, 15))
        var existing = existing.makeIterator()
        for (index, act) in acts.enumerated() {
            let day = index >= acts.count - 2 ? DemoTime.day(2023, 12, 26 + index - (acts.count - 2)) : days[index * days.count / acts.count]
            let party: Int
            if act.outcome == "准予成立登记" {
                party = b.party(
                    .init(
                        kind: .organization, name: DemoIdentities.organizationName(&b.random, group: act.group, taken: &names),
                        creditCode: DemoIdentities.creditCode(&b.random, type: act.group ? "1" : "2"), institutionType: nil, capacity: nil,
                        idNumber: nil, area: nil))
            } else {
                party = existing.next()!
            }
            let officer = corps.team("社会组织管理", 1, day, b.addingWorkingDays(6, after: day), &b.random)[0]
            if act.outcome == "准予成立登记" { b.at(day, 9, 0, .createParty(party, by: officer)) }
            singleOfficerAct(
                &b, item: act.item, party: party, officer: officer, day: day, spread: true,
                steps: ("受理登记申请", "材料审查及实地核查"), outcome: act.outcome, basis: act.basis)
        }
    }

    /// 社会救助 grants under MZ-JF-001…004, each for a newly registered applicant.
    static func grants(_ b: inout DemoPlanBuilder, _ corps: DemoCorps, _ volume: DemoVolume) {
        let kinds: [(item: String, outcome: String, basis: String, count: Int)] = [
            ("MZ-JF-001", "准予享受最低生活保障", "《社会救助暂行办法》第九条、第十一条", 48),
            ("MZ-JF-002", "准予纳入特困人员救助供养", "《社会救助暂行办法》第十四条、第十五条", 9),
            ("MZ-JF-003", "给予临时救助", "《社会救助暂行办法》第四十七条、第四十八条", volume == .report ? 306 : 30),
            ("MZ-JF-004", "准予发放困难残疾人生活补贴、重度残疾人护理补贴", "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》", 36),
        ]
        var acts = kinds.flatMap { kind in Array(repeating: kind, count: kind.count) }
        acts.shuffle(using: &b.random)
        let days = b.workingDays(DemoTime.day(2023, 1, 9), DemoTime.day(2023, 12, 15))
        for (index, act) in acts.enumerated() {
            let day = days[index * days.count / acts.count]
            let party = person(&b)
            let officer = corps.team("社会救助", 1, day, b.addingWorkingDays(6, after: day), &b.random)[0]
            b.at(day, 9, 0, .createParty(party, by: officer))
            singleOfficerAct(
                &b, item: act.item, party: party, officer: officer, day: day, spread: true,
                steps: ("受理救助申请", "入户核实，经省级核对平台核对家庭经济状况"), outcome: act.outcome, basis: act.basis)
        }
    }

    /// 婚姻登记 under MZ-QR-001, each decided the day it is applied for. At `report`
    /// volume, the report's 2 529: 1 617 marriages, 418 divorces, 374 and 120 reissued
    /// certificates.
    static func marriages(_ b: inout DemoPlanBuilder, _ corps: DemoCorps, _ volume: DemoVolume) {
        let report: [(outcome: String, basis: String, count: Int)] = [
            ("准予结婚登记，发给结婚证", "《中华人民共和国民法典》第一千零四十九条、《婚姻登记条例》第七条", 1617),
            ("准予离婚登记，发给离婚证", "《中华人民共和国民法典》第一千零七十六条至第一千零七十八条", 418),
            ("补发结婚证", "《婚姻登记条例》第十七条", 374),
            ("补发离婚证", "《婚姻登记条例》第十七条", 120),
        ]
        // The sample keeps the proportions in about 150 (95, 24, 22 and 7).
        var acts = report.map { (outcome: $0.outcome, basis: $0.basis, count: volume == .report ? $0.count : $0.count * 150 / 2529) }
            .flatMap { kind in Array(repeating: kind, count: kind.count) }
        acts.shuffle(using: &b.random)
        let days = b.workingDays(DemoTime.day(2023, 1, 3), DemoTime.day(2023, 12, 29))
        for (index, act) in acts.enumerated() {
            let day = days[index * days.count / acts.count]
            let party = person(&b)
            let officer = corps.team("婚姻登记", 1, day, day, &b.random)[0]
            let hour = 9 + index % 7
            b.at(day, hour, 0, .createParty(party, by: officer))
            singleOfficerAct(
                &b, item: "MZ-QR-001", party: party, officer: officer, day: day, spread: false, hour: hour,
                steps: ("受理婚姻登记申请", "查验证件及声明，当场审查"), outcome: act.outcome, basis: act.basis)
        }
    }

    static func person(_ b: inout DemoPlanBuilder) -> Int {
        b.party(
            .init(
                kind: .person, name: DemoIdentities.personName(&b.random), creditCode: nil, institutionType: nil, capacity: nil,
                idNumber: DemoIdentities.residentID(&b.random, born: 1950...2000), area: nil))
    }

    /// The steps of a case of kind "other" by one officer: open, investigate, approve,
    /// decide, serve, close; over a week (`spread`), or within the hour.
    static func singleOfficerAct(
        _ b: inout DemoPlanBuilder, item: String, party: Int, officer: Int, day: CalendarDay, spread: Bool, hour: Int = 9,
        steps: (open: String, investigate: String), outcome: String, basis: String
    ) {
        let k = b.newCase()
        let minute = b.random.int(5...40)
        let investigated = spread ? b.addingWorkingDays(2, after: day) : day
        let approved = spread ? b.addingWorkingDays(4, after: day) : day
        let served = spread ? b.addingWorkingDays(5, after: day) : day
        let (h1, h2, h3, h4, h5) = spread ? (10, 9, 15, 10, 16) : (hour, hour, hour, hour, hour)
        let (m1, m2, m3, m4, m5) = spread ? (minute, minute, minute, minute, minute) : (minute + 5, minute + 8, minute + 10, minute + 12, minute + 14)
        b.at(day, hour, minute, .kase(k, .open(item: item, party: party, officers: [officer], text: steps.open)))
        b.at(investigated, h1, m1, .kase(k, .take(.investigate, officers: [officer], intended: nil, text: steps.investigate)))
        b.at(approved, h2, m2, .kase(k, .approve(text: "同意")))
        b.at(approved, h3, m3, .kase(k, .decide(officer: officer, outcome: outcome, legalBasis: basis, fine: nil)))
        b.at(served, h4, m4, .kase(k, .take(.serve, officers: [officer], intended: nil, text: "送达决定书（证件）")))
        b.at(served, h5, m5, .kase(k, .close(officer: officer)))
    }
}
