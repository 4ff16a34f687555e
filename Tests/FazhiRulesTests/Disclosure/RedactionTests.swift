import Foundation
import Testing

@testable import FazhiRules

/// A corpus of decision texts as a civil affairs bureau writes them, with every kind of
/// personal data in prose and in tables. Each case lists what must be gone and what
/// must stay.
@Suite struct RedactionTests {
    struct Sample: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var known: Set<String> = []
        var officers: Set<String> = []
        var gone: [String]
        var kept: [String]
        var testDescription: String { name }
    }

    static let corpus: [Sample] = [
        Sample(
            name: "penalty decision on a person, prose",
            text: """
                行政处罚决定书
                湖民罚决字〔2023〕第007号
                当事人：王建国，男，1975年3月15日出生，身份证号码：41120219750315021X，住址：湖滨区湖滨路88号3单元501室，联系电话：13912345678。
                经查，当事人王建国未经登记，以"湖滨区老年互助会"名义开展活动。执法人员李明、赵强出示执法证件（证号411202-MZ-2023-00001）。
                依据《社会组织登记管理条例》第三十五条，决定予以取缔，没收非法财产人民币3,000.00元，缴入账户6222 0212 3456 7890 123。
                """,
            known: ["王建国"], officers: ["李明", "赵强"],
            gone: ["王建国", "41120219750315021X", "湖滨路88号", "13912345678", "6222 0212 3456 7890 123", "建国"],
            kept: ["王**", "李明", "赵强", "411202-MZ-2023-00001", "湖滨区老年互助会", "湖民罚决字〔2023〕第007号", "3,000.00元", "《社会组织登记管理条例》第三十五条", "1975年3月15日"]),
        Sample(
            name: "penalty decision on an organization with a legal representative",
            text: """
                当事人：湖滨区夕阳红养老服务中心
                统一社会信用代码：52411202MJY123456C
                住所：湖滨区滨河路12号
                法定代表人：陈秀英，联系电话：0398-2861234，手机 138 1234 5678
                经查，该中心消防通道堵塞，责令限期改正。
                """,
            gone: ["0398-2861234", "138 1234 5678"],
            kept: ["湖滨区夕阳红养老服务中心", "52411202MJY123456C", "住所：湖滨区滨河路12号", "法定代表人：陈秀英", "责令限期改正"]),
        Sample(
            name: "a home address in every form, an organization's domicile kept",
            text: """
                当事人丁萱，住湖滨区幸福路12号。其子家住湖滨区黄河路3号院2栋；现住：湖滨区会兴街道上村12号。
                其母居住于湖滨区交口乡东村3组，户籍地湖滨区崖底街道崖底村5号，暂住湖滨区某小区7栋302室。
                湖滨区夕阳红养老服务中心住所：湖滨区滨河路12号。老人入住养老院后住院治疗，住宿费另计。
                """,
            known: ["丁萱"],
            gone: ["丁萱", "幸福路12号", "黄河路3号院", "上村12号", "东村3组", "崖底村5号", "7栋302室"],
            kept: ["丁**", "住所：湖滨区滨河路12号", "入住养老院后住院治疗，住宿费另计"]),
        Sample(
            name: "a known person by familiar names",
            text: "小丁当场承认，老丁（其父）在场。丁某某拒绝签字。",
            known: ["丁萱"],
            gone: ["小丁", "老丁"],
            kept: ["小**当场承认", "丁某某拒绝签字"]),
        Sample(
            name: "inspection record with a table of residents",
            text: """
                检查中核对了在住老人信息：
                序号|姓名|身份证号|家庭住址|联系电话
                1|刘桂兰|411202193802140027|湖滨区会兴街道上村12号|13700001111
                2|孙德胜|41120219400822003X|湖滨区交口乡东村3组|0398-2223344
                检查人员：李明
                """,
            officers: ["李明"],
            gone: ["刘桂兰", "孙德胜", "411202193802140027", "41120219400822003X", "上村12号", "东村3组", "13700001111", "0398-2223344"],
            kept: ["刘**", "孙**", "检查人员：李明", "序号|姓名|身份证号|家庭住址|联系电话"]),
        Sample(
            name: "tab-separated table and a person named only in prose",
            text: "举报人：周小平（手机号码：15098765432）反映情况属实。\n姓名\t住址\n周小平\t湖滨区黄河路5号",
            gone: ["周小平", "15098765432", "黄河路5号"],
            kept: ["周**", "反映情况属实", "姓名\t住址\n周**\t"]),
        Sample(
            name: "an old 15-digit ID and a card number without spaces",
            text: "申请人张伟（身份证411202750315021）退还多领救助金至银行卡6228480402564890018。",
            known: ["张伟"],
            gone: ["张伟", "411202750315021", "6228480402564890018"],
            kept: ["张**", "退还多领救助金"]),
        Sample(
            name: "nothing personal stays untouched",
            text: "湖滨区民政局对湖滨区某某协会作出警告的行政处罚，罚款人民币5000元，依据《社会团体登记管理条例》第三十条。",
            gone: [],
            kept: ["湖滨区民政局对湖滨区某某协会作出警告的行政处罚，罚款人民币5000元，依据《社会团体登记管理条例》第三十条。"]),
    ]

    @Test(arguments: corpus) func redacts(_ sample: Sample) {
        let redacted = Redactor(knownNames: sample.known, publicNames: sample.officers).redact(sample.text)
        for secret in sample.gone {
            #expect(!redacted.contains(secret), "\(secret) is still in: \(redacted)")
        }
        for kept in sample.kept {
            #expect(redacted.contains(kept), "\(kept) was lost from: \(redacted)")
        }
    }

    @Test func namesAreMaskedToTheSurname() {
        #expect(Redactor.mask("张三") == "张**")
        #expect(Redactor.mask("欧阳修文") == "欧**")
    }

    @Test func agenciesAddTheirOwnKeywords() {
        let rules = RedactionRules.standard(extraNameKeywords: "受助人、 赡养人", extraAddressKeywords: "暂住地")
        let redacted = Redactor(rules: rules).redact("受助人：吴大力，暂住地：湖滨区某小区7栋。")
        #expect(redacted == "受助人：吴**，暂住地：\(Redactor.removed)。")
        #expect(rules.nameKeywords.contains("赡养人"))
    }
}
