import FazhiRules
import Foundation

/// How values read in the CLI's tables: labels (Chinese first, English alongside) and
/// Beijing time for people; the wire's codes and RFC 3339 with +08:00 in `--json`, for
/// programs.
enum Shown {
    static func code<T: Labelled & RawRepresentable>(_ code: String, as type: T.Type, json: Bool) -> String where T.RawValue == String {
        guard !json, let value = T(rawValue: code) else { return code }
        return value.label.both
    }

    static func codes<T: Labelled & RawRepresentable>(_ codes: [String], as type: T.Type, json: Bool) -> String where T.RawValue == String {
        codes.map { code($0, as: type, json: json) }.joined(separator: json ? "," : "、")
    }

    /// A credential's standing: in force, or why not.
    static func standing(_ refusal: String, json: Bool) -> String {
        if refusal.isEmpty { return json ? "in force" : Label("可以执法", "in force").both }
        return code(refusal, as: Authority.Refusal.self, json: json)
    }

    static func credentialEvent(_ name: String, json: Bool) -> String { json ? name : Credential.EventName.label(of: name).both }

    static func time(_ date: Date, json: Bool) -> String { json ? BeijingTime.rfc3339(date) : BeijingTime.second(date) }
}
