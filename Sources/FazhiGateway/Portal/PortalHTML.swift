import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation

/// The portal's pages are plain server-rendered HTML: quick on a phone, no external
/// assets, Chinese first with an English switch (`?lang=en`).
struct PortalLanguage: Sendable {
    let english: Bool

    init(_ query: String?) { english = query == "en" }

    /// The text in the reader's language.
    func t(_ zh: String, _ en: String) -> String { english ? en : zh }

    /// A code's label in the reader's language.
    func t(_ label: Label) -> String { english ? label.en : label.zh }

    /// A time as the reader reads it: Beijing time, the zone named.
    func time(_ date: Date) -> String { BeijingTime.second(date) + (english ? " (Beijing time)" : "（北京时间）") }

    /// A link keeping the language.
    func link(_ path: String, _ query: [(String, String)] = []) -> String {
        let all = query + (english ? [("lang", "en")] : [])
        guard !all.isEmpty else { return path }
        var components = URLComponents()
        components.queryItems = all.map { URLQueryItem(name: $0.0, value: $0.1) }
        return path + "?" + (components.percentEncodedQuery ?? "")
    }
}

enum HTML {
    /// Escapes text for element content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// JSON inside a <script> element: "</" cannot end the element early.
    static func scriptJSON(_ object: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: (try? encoder.encode(object)) ?? Data("{}".utf8), as: UTF8.self)
        return text.replacingOccurrences(of: "</", with: "<\\/").replacingOccurrences(of: "<!--", with: "<\\!--")
    }

    static func page(title: String, agency: Agency?, language: PortalLanguage, path: String, body: String, script: Bool = false) -> String {
        let switchLink = language.english ? path : path + (path.contains("?") ? "&" : "?") + "lang=en"
        let nav =
            agency.map { agency in
                let base = "/\(escape(agency.code))"
                return """
                    <nav><a href="\(language.link(base + "/disclosures"))">\(language.t("执法公示", "Disclosures"))</a>\
                    <a href="\(language.link(base + "/verify"))">\(language.t("执法证核验", "Verify a credential"))</a>\
                    <a href="\(language.link(base + "/power-list"))">\(language.t("权责清单", "Power list"))</a>\
                    <a href="\(language.link(base + "/log"))">\(language.t("公示日志", "The log"))</a></nav>
                    """
            } ?? ""
        return """
            <!doctype html>
            <html lang="\(language.english ? "en" : "zh-CN")"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title><link rel="stylesheet" href="/static/portal.css"></head>
            <body><header><a class="home" href="\(language.link("/"))">法治 Fazhi</a> \
            <span class="agency">\(escape(agency?.name ?? ""))</span>\
            <a class="lang" href="\(escape(language.english ? switchLink.replacingOccurrences(of: "lang=en", with: "lang=zh") : switchLink))">\(language.t("English", "中文"))</a></header>
            \(nav)<main>\(body)</main>
            <footer>\(language.t("本站公开内容均已脱敏处理；每条公示记入机构签名的防篡改日志，可在浏览器中核验。",
                                 "Everything here is redacted; every disclosure is in the agency's signed, tamper-evident log and can be checked in your browser."))</footer>
            \(script ? "<script src=\"/static/verify.js\"></script>" : "")
            </body></html>
            """
    }

    /// A table of rows; every cell escaped.
    static func table(_ headers: [String], _ rows: [[String]]) -> String {
        "<table><thead><tr>" + headers.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
            + rows.map { "<tr>" + $0.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }.joined() + "</tbody></table>"
    }
}
