import FazhiRules
import FazhiUseCases

/// Made-up but valid identities: names, resident ID numbers with their check digit, and
/// unified social credit codes with their check character. Nothing here names a real person
/// or organization.
enum DemoIdentities {
    static let division = "411202"

    static let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向汤")
    static let givenCharacters = Array("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红海波鹏辉晨宇欣怡浩然子涵雨轩梓萱思远晓东春梅丹凤文博嘉琪俊杰")

    static func personName(_ random: inout DemoRandom) -> String {
        let given = (0..<random.int(1...2)).map { _ in String(random.pick(givenCharacters)) }.joined()
        return String(random.pick(surnames)) + given
    }

    /// A resident ID number registered in Hubin, born between `years`.
    static func residentID(_ random: inout DemoRandom, born years: ClosedRange<Int>) -> String {
        let year = random.int(years)
        let month = random.int(1...12)
        let day = random.int(1...28)
        let body = division + String(format: "%04d%02d%02d%03d", year, month, day, random.int(1...999))
        return body + String(ResidentIDNumber.checkCharacter(for: body.map { Int(String($0))! }))
    }

    /// 统一社会信用代码 of an organization registered by civil affairs (authority 5) of
    /// `type` (1 social group, 2 private non-enterprise unit, 3 foundation).
    static func creditCode(_ random: inout DemoRandom, type: Character) -> String {
        let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
        let body = "5" + String(type) + division + String((0..<9).map { _ in random.pick(alphabet) })
        return body + String(UnifiedSocialCreditCode.checkCharacter(for: body)!)
    }

    /// The district's 12 elderly care institutions 养老机构 (the 2023 report's count).
    static let elderlyCareInstitutions: [(name: String, capacity: Int)] = [
        ("湖滨区社会福利中心", 260), ("湖滨区福寿园养老院", 120), ("湖滨区康宁老年公寓", 96), ("湖滨区颐和养老服务中心", 150),
        ("湖滨区夕阳红敬老院", 60), ("湖滨区松鹤颐养院", 80), ("湖滨区椿萱茂长者照护中心", 110), ("湖滨区天鹅湖康养中心", 200),
        ("湖滨区孝慈老年养护院", 70), ("湖滨区长乐护理院", 90), ("湖滨区黄河湾养老院", 130), ("湖滨区安康老年之家", 50),
    ]

    static let associationFields = [
        "书法", "摄影", "老年体育", "社区志愿者", "慈善", "青年创业", "家政服务", "餐饮", "物流", "太极拳", "象棋",
        "广场舞", "诗词", "收藏", "钓鱼", "养蜂", "花卉", "汽车维修", "电子商务", "民宿", "文化旅游", "围棋", "篮球", "乒乓球",
    ]
    static let associationKinds = ["协会", "研究会", "促进会", "联合会", "商会"]
    static let serviceFields = ["阳光", "同心", "益民", "向日葵", "暖心", "启航", "新苗", "康乐", "和美", "善行", "乐龄", "晨曦"]
    static let serviceKinds = ["社会工作服务中心", "培训学校", "康复中心", "社区服务中心", "养老服务中心", "文化艺术中心"]

    /// A social organization's name, unique among those already `taken`.
    static func organizationName(_ random: inout DemoRandom, group: Bool, taken: inout Set<String>) -> String {
        while true {
            let name =
                group
                ? "湖滨区" + random.pick(associationFields) + random.pick(associationKinds)
                : "湖滨区" + random.pick(serviceFields) + random.pick(serviceKinds)
            if taken.insert(name).inserted { return name }
            // Past the combinations, a numbered branch keeps names distinct.
            let numbered = name + "（\(taken.count)）"
            if taken.insert(numbered).inserted { return numbered }
        }
    }
}
