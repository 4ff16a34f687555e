import FazhiRules
import FazhiUseCases
import Foundation

/// The year's seven penalty cases 行政处罚, each by two officers: three are major (a fine
/// of at least the agency's threshold, or a deregistration) and go through legal review,
/// one of them returned once for more evidence; one decision is later quashed on
/// reconsideration and its disclosure withdrawn.
extension DemoActs {
    struct Penalty {
        let item: String
        let category: String
        let party: PenaltyParty
        let opened: CalendarDay
        let facts: String
        let intended: EnforcementCase.IntendedDecision
        let outcome: String
        let basis: String
        var returnedOnce = false
        var withdrawn: (on: CalendarDay, reason: String)? = nil
    }

    enum PenaltyParty {
        case organization(Int)
        case institution(Int)
        case newPerson
        case newInstitution(PartyWork.Input)
    }

    static func penalties(_ b: inout DemoPlanBuilder, _ corps: DemoCorps, organizations: [Int], institutions: [Int]) {
        let cemetery = PartyWork.Input(
            kind: .institution, name: "湖滨区福泽园公墓", creditCode: DemoIdentities.creditCode(&b.random, type: "2"),
            institutionType: .funeral, capacity: 3_000, idNumber: nil, area: nil)
        let cases: [Penalty] = [
            Penalty(
                item: "MZ-CF-001", category: "社会组织管理", party: .organization(organizations[61]), opened: DemoTime.day(2023, 5, 8),
                facts: "住所变更后逾期未办理变更登记，经责令改正仍未改正", intended: .init(fine: nil, revokesRegistration: false),
                outcome: "警告", basis: "《社会团体登记管理条例》第三十条第一款第（五）项",
                withdrawn: (DemoTime.day(2023, 8, 10), "经行政复议，原处罚决定被撤销")),
            Penalty(
                item: "MZ-CF-001", category: "社会组织管理", party: .organization(organizations[62]), opened: DemoTime.day(2023, 6, 12),
                facts: "未经批准擅自设立分支机构并收取费用", intended: .init(fine: 20_000, revokesRegistration: false),
                outcome: "没收违法所得，并处罚款二万元", basis: "《社会团体登记管理条例》第三十条第一款第（三）项", returnedOnce: true),
            Penalty(
                item: "MZ-CF-002", category: "社会组织管理", party: .organization(organizations[65]), opened: DemoTime.day(2023, 7, 3),
                facts: "连续两年未参加年度检查，且已停止开展业务活动", intended: .init(fine: nil, revokesRegistration: true),
                outcome: "撤销登记", basis: "《民办非企业单位登记管理暂行条例》第二十五条"),
            Penalty(
                item: "MZ-CF-003", category: "养老服务", party: .institution(institutions[4]), opened: DemoTime.day(2023, 10, 9),
                facts: "未按规定对入住老年人进行服务需求评估", intended: .init(fine: 5_000, revokesRegistration: false),
                outcome: "警告，并处罚款五千元", basis: "《养老机构管理办法》第四十六条"),
            Penalty(
                item: "MZ-CF-004", category: "社会救助", party: .newPerson, opened: DemoTime.day(2023, 4, 17),
                facts: "隐瞒家庭收入骗取最低生活保障金", intended: .init(fine: 1_800, revokesRegistration: false),
                outcome: "追回骗取的救助资金，并处罚款一千八百元", basis: "《社会救助暂行办法》第六十八条"),
            Penalty(
                item: "MZ-CF-004", category: "社会救助", party: .newPerson, opened: DemoTime.day(2023, 11, 6),
                facts: "虚报家庭人口骗取临时救助金", intended: .init(fine: 2_600, revokesRegistration: false),
                outcome: "追回骗取的救助资金，并处罚款二千六百元", basis: "《社会救助暂行办法》第六十八条"),
            Penalty(
                item: "MZ-CF-005", category: "殡葬管理", party: .newInstitution(cemetery), opened: DemoTime.day(2023, 8, 21),
                facts: "超标准、超面积建造墓穴并对外销售", intended: .init(fine: 12_000, revokesRegistration: false),
                outcome: "责令限期改正，并处罚款一万二千元", basis: "《殡葬管理条例》第二十条"),
        ]
        for penalty in cases { plan(&b, corps, penalty) }
    }

    private static func plan(_ b: inout DemoPlanBuilder, _ corps: DemoCorps, _ p: Penalty) {
        let k = b.newCase()
        func day(_ offset: Int) -> CalendarDay { b.addingWorkingDays(offset, after: p.opened) }
        let team = corps.team(p.category, 2, p.opened, b.addingWorkingDays(45, after: p.opened), &b.random)
        let party: Int
        switch p.party {
        case .organization(let index), .institution(let index): party = index
        case .newPerson:
            party = person(&b)
            b.at(p.opened, 8, 50, .createParty(party, by: team[0]))
        case .newInstitution(let input):
            party = b.party(input)
            b.at(p.opened, 8, 50, .createParty(party, by: team[0]))
        }
        func both(_ when: CalendarDay, _ step: CaseStep, _ text: String, intended: EnforcementCase.IntendedDecision? = nil) {
            b.at(
                when, 10, 0,
                .kase(
                    k,
                    step == .open
                        ? .open(item: p.item, party: party, officers: team, text: text)
                        : .take(step, officers: team, intended: intended, text: text)))
            b.at(when, 10, 20, .kase(k, .confirm(officer: team[1])))
        }
        both(p.opened, .open, "立案：\(p.facts)")
        both(day(3), .investigate, "调查取证：询问笔录、现场检查笔录、书证")
        both(day(10), .notify, "告知拟作出的行政处罚决定及陈述、申辩、听证权利", intended: p.intended)
        let major = p.intended.revokesRegistration || (p.intended.fine ?? 0) >= 10_000
        var reviewed = day(10)
        if major {
            if p.returnedOnce {
                b.at(day(13), 11, 0, .kase(k, .review(.returnForCorrection, text: "违法所得数额认定证据不足，退回补充调查")))
                both(day(16), .investigate, "补充调查：调取银行流水，核定违法所得")
                both(day(18), .notify, "重新告知拟作出的行政处罚决定", intended: p.intended)
                reviewed = day(20)
            } else {
                reviewed = day(13)
            }
            b.at(reviewed, 11, 0, .kase(k, .review(.approve, text: "事实清楚，证据确凿，适用依据正确，程序合法，同意")))
        }
        let decided = b.addingWorkingDays(2, after: reviewed)
        b.at(decided, 9, 0, .kase(k, .approve(text: "同意作出行政处罚决定")))
        b.at(decided, 15, 0, .kase(k, .decide(officer: team[0], outcome: p.outcome, legalBasis: p.basis, fine: p.intended.fine)))
        both(b.addingWorkingDays(1, after: decided), .serve, "直接送达行政处罚决定书，当事人签收")
        both(b.addingWorkingDays(10, after: decided), .execute, p.intended.fine == nil ? "决定已执行" : "当事人已缴纳罚款")
        b.at(b.addingWorkingDays(11, after: decided), 16, 0, .kase(k, .close(officer: team[0])))
        if let withdrawn = p.withdrawn {
            b.at(withdrawn.on, 10, 0, .withdrawDecision(kase: k, reason: withdrawn.reason))
        }
    }
}
