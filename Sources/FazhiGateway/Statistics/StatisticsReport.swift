import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation

/// The year's figures as a self-contained HTML report with SVG charts (no scripts, no
/// external files): the summary, acts by power category, by item, and month by month.
enum StatisticsReport {
    static func html(_ s: AnnualStatistics) -> String {
        func table(_ t: StatisticsTable) -> String {
            let (headers, rows) = t.rows(s)
            return "<h2>\(HTML.escape(t.title))</h2>" + HTML.table(headers, rows)
        }
        return """
            <!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(s.agencyName)) \(s.year) 年度行政执法统计</title>
            <style>body{font:15px/1.5 system-ui,"Noto Sans CJK SC",sans-serif;max-width:60em;margin:1em auto;padding:0 1em;color:#222}
            table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}th{background:#f2f2f2}
            svg text{font-size:11px;fill:#333}</style></head><body>
            <h1>\(HTML.escape(s.agencyName))（\(HTML.escape(s.agencyCode))）\(s.year) 年度行政执法统计</h1>
            \(table(.summary))
            <h2>按月立案与决定</h2>\(monthChart(s))
            <h2>按职权类别</h2>\(categoryChart(s))
            \(table(.categories))\(table(.items))\(table(.months))
            </body></html>
            """
    }

    /// Cases opened (dark) and decisions (light) for each month, as grouped bars.
    static func monthChart(_ s: AnnualStatistics) -> String {
        let top = max(1, s.months.map { max($0.casesOpened, $0.decisions) }.max() ?? 1)
        let (width, height, base) = (720, 220, 190)
        var bars = ""
        for (index, month) in s.months.enumerated() {
            let x = 40 + index * 56
            let opened = month.casesOpened * 160 / top
            let decided = month.decisions * 160 / top
            bars +=
                #"<rect x="\#(x)" y="\#(base - opened)" width="20" height="\#(opened)" fill="rgb(183,28,28)"><title>\#(month.month)月 立案 \#(month.casesOpened)</title></rect>"#
            bars +=
                #"<rect x="\#(x + 22)" y="\#(base - decided)" width="20" height="\#(decided)" fill="rgb(239,154,154)"><title>\#(month.month)月 决定 \#(month.decisions)</title></rect>"#
            bars += #"<text x="\#(x + 8)" y="\#(base + 16)">\#(month.month)月</text>"#
        }
        return #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(width)" height="\#(height)" role="img" aria-label="按月立案与决定">"#
            + #"<line x1="34" y1="\#(base)" x2="\#(width - 10)" y2="\#(base)" stroke="gray"/><text x="0" y="\#(base - 160)">\#(top)</text>"#
            + bars + #"<rect x="560" y="6" width="10" height="10" fill="rgb(183,28,28)"/><text x="574" y="15">立案</text>"#
            + #"<rect x="620" y="6" width="10" height="10" fill="rgb(239,154,154)"/><text x="634" y="15">决定</text></svg>"#
    }

    /// Cases by power category, as horizontal bars.
    static func categoryChart(_ s: AnnualStatistics) -> String {
        let top = max(1, s.casesByPowerCategory.map(\.cases).max() ?? 1)
        var bars = ""
        for (index, category) in s.casesByPowerCategory.enumerated() {
            let y = 10 + index * 26
            let length = category.cases * 520 / top
            bars += #"<text x="0" y="\#(y + 14)">\#(HTML.escape(category.category))</text>"#
            bars += #"<rect x="110" y="\#(y)" width="\#(length)" height="18" fill="rgb(183,28,28)"><title>\#(category.cases)</title></rect>"#
            bars += #"<text x="\#(116 + length)" y="\#(y + 14)">\#(category.cases)</text>"#
        }
        return
            #"<svg xmlns="http://www.w3.org/2000/svg" width="720" height="\#(20 + s.casesByPowerCategory.count * 26)" role="img" aria-label="按职权类别">"#
            + bars + "</svg>"
    }
}
