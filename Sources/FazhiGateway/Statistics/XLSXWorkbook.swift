import Foundation
import ZIPFoundation

/// An Office Open XML workbook (.xlsx), one sheet per table, written in constant memory:
/// each sheet's XML goes to a temporary file row by row, and the finished parts are
/// zipped (deflate) with ZIPFoundation. Strings are inline, so there is no shared-string
/// table to hold in memory.
final class XLSXWorkbook {
    enum Cell {
        case text(String)
        case number(String)
    }

    private let directory: URL
    private var sheets: [(name: String, file: URL)] = []
    private var current: FileHandle?
    private var rowNumber = 0
    private var pending = Data()

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fazhi-xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func beginSheet(_ name: String) throws {
        try endSheet()
        let file = directory.appendingPathComponent("sheet\(sheets.count + 1).xml")
        guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
        }
        current = try FileHandle(forWritingTo: file)
        sheets.append((String(name.prefix(31)), file))
        rowNumber = 0
        pending = Data(
            #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
                .utf8)
    }

    func row(_ cells: [Cell]) throws {
        rowNumber += 1
        var xml = "<row r=\"\(rowNumber)\">"
        for (column, cell) in cells.enumerated() {
            let reference = Self.columnName(column) + String(rowNumber)
            switch cell {
            case .text(let text): xml += "<c r=\"\(reference)\" t=\"inlineStr\"><is><t xml:space=\"preserve\">\(Self.escape(text))</t></is></c>"
            case .number(let number): xml += "<c r=\"\(reference)\"><v>\(number)</v></c>"
            }
        }
        pending.append(contentsOf: (xml + "</row>").utf8)
        if pending.count > 256 * 1024 { try flush() }
    }

    private func flush() throws {
        try current?.write(contentsOf: pending)
        pending.removeAll(keepingCapacity: true)
    }

    private func endSheet() throws {
        guard let handle = current else { return }
        pending.append(contentsOf: "</sheetData></worksheet>".utf8)
        try flush()
        try handle.close()
        current = nil
    }

    /// Zips the workbook into a file and returns it; the caller streams and deletes it.
    func finish() throws -> URL {
        try endSheet()
        let output = directory.appendingPathComponent("workbook.xlsx")
        let archive = try Archive(url: output, accessMode: .create)
        func add(_ path: String, _ text: String) throws {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
        let overrides = sheets.indices.map {
            #"<Override PartName="/xl/worksheets/sheet\#($0 + 1).xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        }.joined()
        try add(
            "[Content_Types].xml",
            #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#
                + overrides + "</Types>")
        try add(
            "_rels/.rels",
            #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
        )
        let sheetList = sheets.enumerated().map {
            #"<sheet name="\#(Self.escape($0.element.name))" sheetId="\#($0.offset + 1)" r:id="rId\#($0.offset + 1)"/>"#
        }.joined()
        try add(
            "xl/workbook.xml",
            #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#
                + sheetList + "</sheets></workbook>")
        let relations = sheets.indices.map {
            #"<Relationship Id="rId\#($0 + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet\#($0 + 1).xml"/>"#
        }.joined()
        try add(
            "xl/_rels/workbook.xml.rels",
            #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
                + relations + "</Relationships>")
        for (index, sheet) in sheets.enumerated() {
            try archive.addEntry(with: "xl/worksheets/sheet\(index + 1).xml", fileURL: sheet.file, compressionMethod: .deflate)
        }
        return output
    }

    /// A, B, …, Z, AA, AB, …
    static func columnName(_ index: Int) -> String {
        var name = ""
        var n = index + 1
        while n > 0 {
            let remainder = (n - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + remainder))) + name
            n = (n - 1) / 26
        }
        return name
    }

    /// XML text: markup escaped, characters XML 1.0 forbids dropped.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value >= 0x20 && !(0xFFFE...0xFFFF).contains(scalar.value) { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
