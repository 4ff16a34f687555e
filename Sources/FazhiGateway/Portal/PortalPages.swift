import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import Hummingbird

extension Portal {
    static let kinds: [(DisclosureEntry.Kind, String, String)] = [
        (.decision, "执法决定", "Decisions"), (.enforcementPersonnel, "执法人员", "Enforcement personnel"),
        (.powerList, "权责清单", "Power list"), (.annualStatistics, "年度数据", "Annual statistics"),
    ]

    /// A field's value as the reader reads it: a code by its label. The signed content
    /// (the verification data below the table) keeps the code.
    static func shownValue(_ key: String, _ value: String, _ language: PortalLanguage) -> String {
        let label: Label? =
            switch key {
            case "event": Credential.EventName(rawValue: value)?.label
            case "state": Credential.State(rawValue: value)?.label
            case "party_type": Party.Kind(rawValue: value)?.label
            case "power_category": PowerItem.Category(rawValue: value)?.label
            default: nil
            }
        return label.map(language.t) ?? value
    }

    static let fieldNames: [String: (String, String)] = [
        "document_number": ("文书号", "Document number"), "item_code": ("事项编码", "Item code"), "item_name": ("事项名称", "Item"),
        "power_category": ("职权类别", "Power category"), "enforcement_category": ("执法类别", "Enforcement category"),
        "party": ("当事人", "Party"), "party_type": ("当事人类型", "Party type"), "credit_code": ("统一社会信用代码", "Unified social credit code"),
        "outcome": ("决定内容", "Decision"), "legal_basis": ("法律依据", "Legal basis"), "fine": ("罚款（元）", "Fine (yuan)"),
        "decided_on": ("决定日期", "Decided on"), "officers": ("执法人员", "Officers"), "unit": ("实施机构", "Unit"),
        "holder_name": ("姓名", "Name"), "credential_number": ("执法证号", "Credential number"), "event": ("变更事项", "Change"),
        "state": ("证件状态", "State"), "categories": ("执法类别", "Categories"), "areas": ("执法区域", "Areas"),
        "valid_from": ("有效期自", "Valid from"), "valid_until": ("有效期至", "Valid until"), "successor": ("新证号", "Successor"),
        "version": ("版本", "Version"), "added": ("新增事项", "Added"), "changed": ("变更事项", "Changed"), "removed": ("取消事项", "Removed"),
        "reason": ("理由", "Reason"), "withdrawn_entry": ("撤回的条目", "Withdrawn entry"), "withdrawn_subject": ("撤回的文书", "Withdrawn"),
        "changed_on": ("变更日期", "Changed on"), "correction_reason": ("更正理由", "Reason for correction"),
        "year": ("年度", "Year"), "officers_at_year_end": ("年末执法人员", "Officers at year end"),
        "valid_credentials_at_year_end": ("年末有效执法证", "Valid credentials at year end"), "credentials_issued": ("发证", "Credentials issued"),
        "credentials_renewed": ("换证", "Renewed"), "credentials_replaced": ("补证", "Replaced"), "credentials_reviewed": ("年审", "Reviewed"),
        "credentials_suspended": ("暂扣", "Suspended"), "credentials_revoked": ("吊销", "Revoked"), "cases_opened": ("立案（执法行为）", "Acts (cases)"),
        "decisions": ("执法决定", "Decisions"), "cases_by_power_category": ("按职权类别（立案/决定）", "By power category (cases/decisions)"),
        "inspections": ("检查", "Inspections"), "findings": ("发现问题", "Findings"), "rectified_on_time": ("按期整改", "Rectified on time"),
        "rectified_late": ("逾期整改", "Rectified late"), "rectification_open": ("尚未整改", "Not yet rectified"),
        "penalty_decisions": ("行政处罚", "Penalties"), "total_fines": ("罚款合计（元）", "Fines in total (yuan)"),
        "legal_reviews_approved": ("法制审核通过", "Legal reviews approved"), "legal_reviews_returned": ("法制审核退回", "Returned"),
        "legal_reviews_rejected": ("法制审核不予通过", "Rejected"), "disclosures_on_time": ("按期公示", "Disclosed on time"),
        "disclosures_late": ("逾期公示", "Disclosed late"), "withdrawals": ("撤回公示", "Withdrawals"),
    ]

    func home(_ request: Request) async throws -> Response {
        let language = PortalLanguage(request.uri.queryParameters.get("lang"))
        let agencies = try await replica.agencies(after: nil, limit: 1000).filter { !$0.isPlatform }
        let body =
            "<h1>\(language.t("行政执法公示", "Administrative enforcement disclosures"))</h1><ul>"
            + agencies.map {
                "<li><a href=\"\(HTML.escape(language.link("/\($0.code)/disclosures")))\">\(HTML.escape($0.name))</a> (\(HTML.escape($0.code)))</li>"
            }.joined()
            + "</ul>"
        return Self.html(HTML.page(title: "法治 Fazhi", agency: nil, language: language, path: "/", body: body))
    }

    func list(_ request: Request, agencyCode: String) async throws -> Response {
        let agency = try await listedAgency(agencyCode)
        let query = request.uri.queryParameters
        let language = PortalLanguage(query.get("lang"))
        var filter = DisclosureFilter()
        filter.kind = query.get("kind").flatMap(DisclosureEntry.Kind.init(rawValue:))
        filter.category = query.get("category").flatMap { $0.isEmpty ? nil : String($0.prefix(50)) }
        filter.partyType = query.get("party_type").flatMap { ["organization", "institution", "person"].contains($0) ? $0 : nil }
        filter.from = query.get("from").flatMap { try? CalendarDay(accepting: $0) }
        filter.until = query.get("until").flatMap { try? CalendarDay(accepting: $0) }
        filter.text = query.get("q").flatMap { $0.isEmpty ? nil : String($0.prefix(100)) }
        let after: (Date, UUID)? = query.get("after").flatMap { token in
            let parts = token.split(separator: "_")
            guard parts.count == 2, let id = UUID(uuidString: String(parts[1])), let at = DisclosureLeaf.date(String(parts[0])) else { return nil }
            return (at, id)
        }
        let pageSize = 20
        let entries = try await disclosures.publicEntries(agency: agency, filter, after: after, limit: pageSize)
        func selected(_ value: String?, _ option: String) -> String { value == option ? " selected" : "" }
        var body = "<h1>\(language.t("行政执法公示", "Enforcement disclosures"))</h1>"
        body += """
            <form class="filters" method="get">\(language.english ? "<input type=\"hidden\" name=\"lang\" value=\"en\">" : "")
            <select name="kind"><option value="">\(language.t("全部类别", "All kinds"))</option>\
            \(Self.kinds.map { "<option value=\"\($0.0.rawValue)\"\(selected(filter.kind?.rawValue, $0.0.rawValue))>\(language.t($0.1, $0.2))</option>" }.joined())</select>
            <select name="party_type"><option value="">\(language.t("全部当事人", "All parties"))</option>\
            <option value="organization"\(selected(filter.partyType, "organization"))>\(language.t("组织", "Organizations"))</option>\
            <option value="institution"\(selected(filter.partyType, "institution"))>\(language.t("机构", "Institutions"))</option>\
            <option value="person"\(selected(filter.partyType, "person"))>\(language.t("个人", "Persons"))</option></select>
            <input name="category" placeholder="\(language.t("执法类别", "Category"))" value="\(HTML.escape(filter.category ?? ""))">
            <input type="date" name="from" value="\(filter.from?.description ?? "")"><input type="date" name="until" value="\(filter.until?.description ?? "")">
            <input name="q" placeholder="\(language.t("文书号或标题", "Number or title"))" value="\(HTML.escape(filter.text ?? ""))">
            <button>\(language.t("查询", "Search"))</button></form>
            """
        if entries.isEmpty { body += "<p>\(language.t("没有符合条件的公示。", "No disclosures match."))</p>" }
        for entry in entries {
            let link = language.link("/\(agency.code)/disclosures/\(entry.id.uuidString.lowercased())")
            let state =
                entry.state == .withdrawn
                ? " <span class=\"withdrawn\">\(language.t("已撤回", "withdrawn"))</span>"
                : entry.state == .corrected ? " <span class=\"withdrawn\">\(language.t("已更正", "corrected"))</span>" : ""
            body += """
                <div class="entry"><h3><a href="\(HTML.escape(link))">\(HTML.escape(entry.title))</a>\(state)</h3>\
                <div class="meta">\(HTML.escape(Self.kindName(entry.kind, language))) · \(language.t("日期", "date")) \(entry.occurredOn) · \
                \(language.t("公示于", "published")) \(entry.publishedAt.map { Moment(instant: $0).day.description } ?? "")\
                \(entry.late == true ? " · " + language.t("逾期公示", "published late") : "")</div></div>
                """
        }
        if entries.count == pageSize, let last = entries.last, let at = last.publishedAt {
            var next = [("after", "\(DisclosureLeaf.timestamp(at))_\(last.id.uuidString)")]
            for name in ["kind", "party_type", "category", "from", "until", "q"] {
                if let value = query.get(name), !value.isEmpty { next.append((name, value)) }
            }
            body += "<p><a href=\"\(HTML.escape(language.link("/\(agency.code)/disclosures", next)))\">\(language.t("下一页", "Next page")) →</a></p>"
        }
        return Self.html(
            HTML.page(
                title: language.t("执法公示", "Disclosures") + " · " + agency.name, agency: agency, language: language,
                path: request.uri.description, body: body))
    }

    func entry(_ request: Request, agencyCode: String, id text: String) async throws -> Response {
        let agency = try await agency(agencyCode)
        let language = PortalLanguage(request.uri.queryParameters.get("lang"))
        guard let id = UUID(uuidString: text) else { throw HTTPError(.notFound) }
        let (entry, proof, checkpoint) = try await log.entry(agency: agency, id: id)
        // The key that signed this checkpoint: the one in use, or one retired since.
        let keys = try await log.verifierKeys(agency: agency)
        let key = try checkpoint.flatMap { try SignedNote.signer(of: $0.note, among: keys) } ?? keys[0]
        var body = "<h1>\(HTML.escape(entry.title))</h1>"
        body +=
            "<div class=\"meta\">\(HTML.escape(Self.kindName(entry.kind, language))) · \(HTML.escape(entry.subject)) · "
            + "\(language.t("应公示日", "due")) \(entry.due?.description ?? "—") · \(language.t("公示于", "published")) \(entry.publishedAt.map(language.time) ?? "")"
            + (entry.late == true ? " · " + language.t("逾期公示", "published late") : "") + "</div>"
        var withdrawalReason = ""
        if entry.state == .withdrawn {
            if let notice = entry.supersededBy { withdrawalReason = (try? await log.entry(agency: agency, id: notice).0.fields["reason"]) ?? "" }
            body +=
                "<p class=\"withdrawn\">\(language.t("本条公示已依法撤回，内容不再公开；撤回说明见", "This disclosure was withdrawn; its content is no longer public. See the"))"
                + (entry.supersededBy.map {
                    " <a href=\"\(HTML.escape(language.link("/\(agency.code)/disclosures/\($0.uuidString.lowercased())")))\">\(language.t("撤回公告", "withdrawal notice"))</a>"
                } ?? "") + language.t("。", ".")
                + (withdrawalReason.isEmpty ? "" : " \(language.t("撤回理由：", "Reason: "))\(HTML.escape(withdrawalReason))") + "</p>"
        }
        if entry.state == .corrected, let by = entry.supersededBy {
            body +=
                "<p class=\"withdrawn\"><a href=\"\(HTML.escape(language.link("/\(agency.code)/disclosures/\(by.uuidString.lowercased())")))\">\(language.t("本条已更正，查看更正后的公示", "Corrected: see the correction"))</a></p>"
        }
        let fields = entry.fields
        if !fields.isEmpty {
            body += HTML.table(
                [language.t("项目", "Field"), language.t("内容", "Value")],
                fields.keys.sorted().filter { !(fields[$0] ?? "").isEmpty }.map { key in
                    [Self.fieldNames[key].map { language.t($0.0, $0.1) } ?? key, Self.shownValue(key, fields[key] ?? "", language)]
                })
        }
        if let refers = entry.refersTo {
            body +=
                "<p><a href=\"\(HTML.escape(language.link("/\(agency.code)/disclosures/\(refers.uuidString.lowercased())")))\">\(language.t("所涉原公示", "The entry this refers to"))</a></p>"
        }
        struct ProofData: Encodable {
            struct Entry: Encodable {
                let id, action, kind, subject, refersTo, publishedAt, contentSHA256: String
                let content: String?

                // Written out even when nil: the verifier tells a withdrawn entry (content
                // null, lawfully erased) from one whose content was altered.
                func encode(to encoder: any Encoder) throws {
                    var container = encoder.container(keyedBy: CodingKeys.self)
                    for (key, value) in [
                        (CodingKeys.id, id), (.action, action), (.kind, kind), (.subject, subject), (.refersTo, refersTo),
                        (.publishedAt, publishedAt), (.contentSHA256, contentSHA256),
                    ] {
                        try container.encode(value, forKey: key)
                    }
                    try container.encode(content, forKey: .content)
                }

                /// The names the in-browser verifier reads.
                enum CodingKeys: String, CodingKey {
                    case id, action, kind, subject, content
                    case refersTo = "refers_to"
                    case publishedAt = "published_at"
                    case contentSHA256 = "content_sha256"
                }
            }
            let entry: Entry
            /// The withdrawal's public reason when the entry was withdrawn, else nil.
            let withdrawalReason: String?
            let index: Int
            let proof: [String]
            let checkpoint: String
            let key: String

            enum CodingKeys: String, CodingKey {
                case entry, index, proof, checkpoint, key
                case withdrawalReason = "withdrawal_reason"
            }
        }
        var script = false
        if let proof, let checkpoint, let index = entry.leafIndex {
            let hex = { (data: Data) in data.map { String(format: "%02x", $0) }.joined() }
            let data = ProofData(
                entry: .init(
                    id: entry.id.uuidString.lowercased(), action: entry.action.rawValue, kind: entry.kind.rawValue, subject: entry.subject,
                    refersTo: entry.refersTo?.uuidString.lowercased() ?? "", publishedAt: entry.publishedAt.map(DisclosureLeaf.timestamp) ?? "",
                    contentSHA256: hex(entry.contentSHA256), content: entry.content),
                withdrawalReason: entry.state == .withdrawn ? withdrawalReason : nil,
                index: index, proof: proof.map(hex), checkpoint: checkpoint.note, key: key.description)
            body += "<div id=\"check\" class=\"check pending\">\(language.t("正在浏览器中核验……", "Checking in your browser…"))</div>"
            body += "<script type=\"application/json\" id=\"proof\">\(HTML.scriptJSON(data))</script>"
            body +=
                "<details><summary>\(language.t("核验数据", "What was checked"))</summary><p>\(language.t("日志密钥", "Log key")): <code>\(HTML.escape(key.description))</code></p>"
                + "<pre>\(HTML.escape(checkpoint.note))</pre></details>"
            script = true
        } else {
            body +=
                "<div id=\"check\" class=\"check pending\">\(language.t("该条目即将记入日志，请稍后刷新核验。", "This entry is about to enter the log; reload shortly to check it."))</div>"
        }
        return Self.html(HTML.page(title: entry.title, agency: agency, language: language, path: request.uri.description, body: body, script: script))
    }

    func verify(_ request: Request, agencyCode: String) async throws -> Response {
        let agency = try await agency(agencyCode)
        let language = PortalLanguage(request.uri.queryParameters.get("lang"))
        let number = request.uri.queryParameters.get("number").map { String($0.prefix(40)).trimmingCharacters(in: .whitespaces) } ?? ""
        // A scanned code (亮证码) links here as ?code=…; its signature is checked with the agency's key.
        let code = request.uri.queryParameters.get("code").map { String($0.prefix(400)) } ?? ""
        var body = "<h1>\(language.t("行政执法证核验", "Verify an enforcement credential"))</h1>"
        body +=
            "<form class=\"filters\" method=\"get\">\(language.english ? "<input type=\"hidden\" name=\"lang\" value=\"en\">" : "")"
            + "<input name=\"number\" placeholder=\"411202-MZ-2026-00001\" value=\"\(HTML.escape(number))\"><button>\(language.t("核验", "Verify"))</button></form>"
        if !number.isEmpty || !code.isEmpty {
            let day = Moment(instant: clock()).day
            let answer =
                code.isEmpty ? try await verification.byNumber(number, on: day) : try await verification.byCode(code, keys: log.keys, on: day)
            switch answer {
            case .notValid:
                body += "<div class=\"check bad\">\(language.t("查无此证，或证件无效。", "No such credential, or it is not valid."))</div>"
            case .found(let card):
                body +=
                    "<div class=\"check \(card.inForce ? "ok" : "bad")\">\(card.inForce ? language.t("证件有效，持证人可依法执法。", "In force: the holder may act.") : language.t("证件当前不可执法（\(card.state.label.zh)）。", "Not in force (\(card.state.label.en))."))</div>"
                body += HTML.table(
                    [language.t("项目", "Field"), language.t("内容", "Value")],
                    [
                        [language.t("证号", "Number"), card.number], [language.t("姓名", "Name"), card.holderName],
                        [language.t("发证机关", "Agency"), card.agencyName], [language.t("执法类别", "Categories"), card.categories.joined(separator: "、")],
                        [language.t("执法区域", "Areas"), card.areas.joined(separator: "、")],
                        [language.t("有效期", "Term"), "\(card.validFrom?.description ?? "") — \(card.validUntil?.description ?? "")"],
                    ])
            }
        }
        return Self.html(
            HTML.page(
                title: language.t("执法证核验", "Verify a credential"), agency: agency, language: language, path: request.uri.description, body: body))
    }

    func powerListPage(_ request: Request, agencyCode: String) async throws -> Response {
        let agency = try await listedAgency(agencyCode)
        let language = PortalLanguage(request.uri.queryParameters.get("lang"))
        var body = "<h1>\(language.t("权责清单", "Power list"))</h1>"
        do {
            let (_, version) = try await powerList.published(agencyCode: agency.code, version: nil)
            body +=
                "<p class=\"meta\">\(language.t("第 \(version.version) 版", "Version \(version.version)")) · \(Moment(instant: version.publishedAt).day)</p>"
            body += HTML.table(
                [
                    language.t("编码", "Code"), language.t("事项", "Item"), language.t("职权类别", "Category"), language.t("执法类别", "Enforcement"),
                    language.t("依据", "Legal basis"), language.t("实施机构", "Unit"),
                ],
                version.items.map {
                    [
                        $0.code, $0.name, language.t($0.category.label), $0.enforcementCategory, $0.legalBasis,
                        $0.unit,
                    ]
                })
        } catch let error as DomainError where error.reason == .notFound {
            body += "<p>\(language.t("尚未发布权责清单。", "No power list has been published yet."))</p>"
        }
        return Self.html(
            HTML.page(title: language.t("权责清单", "Power list"), agency: agency, language: language, path: request.uri.description, body: body))
    }

    func logPage(_ request: Request, agencyCode: String) async throws -> Response {
        let agency = try await agency(agencyCode)
        let language = PortalLanguage(request.uri.queryParameters.get("lang"))
        let keys = try await log.verifierKeys(agency: agency)
        let checkpoint = try await replicaLog.latestCheckpoint(agency: agency)
        let retired = keys.dropFirst().map { "<li><code>\(HTML.escape($0.description))</code></li>" }.joined()
        let base = "/\(agency.code)/log"
        let body = """
            <h1>\(language.t("公示日志", "The disclosure log"))</h1>
            <p>\(language.t("本机构的每条公示、撤回和更正都记入一个 RFC 6962 默克尔树日志，检查点由本机构密钥签名（C2SP 签名笔记格式）。日志以 C2SP tlog-tiles 格式公开，任何人都可审计。",
                            "Every disclosure, withdrawal and correction of this agency enters an RFC 6962 Merkle tree log whose checkpoints the agency signs (C2SP signed notes). The log is served in the C2SP tlog-tiles layout, so anyone can audit it."))</p>
            <p>\(language.t("验证密钥", "Verifier key")): <code>\(HTML.escape(keys[0].description))</code></p>
            \(retired.isEmpty ? "" : "<p>\(language.t("已停用的密钥（其签署的检查点仍可核验）", "Retired keys (the checkpoints they signed still verify)")):</p><ul>\(retired)</ul>")
            <p><a href="\(HTML.escape(base))/checkpoint">checkpoint</a> · <a href="\(HTML.escape(base))/key">key</a> · <a href="\(HTML.escape(base))/keys">keys</a> · tiles: <code>\(HTML.escape(base))/tile/…</code></p>
            <pre>\(HTML.escape(checkpoint?.note ?? language.t("尚无检查点", "no checkpoint yet")))</pre>
            """
        return Self.html(
            HTML.page(title: language.t("公示日志", "The log"), agency: agency, language: language, path: request.uri.description, body: body))
    }

    static func kindName(_ kind: DisclosureEntry.Kind, _ language: PortalLanguage) -> String {
        kinds.first { $0.0 == kind }.map { language.t($0.1, $0.2) } ?? kind.rawValue
    }
}
