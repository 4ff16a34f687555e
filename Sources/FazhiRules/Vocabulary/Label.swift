/// A code as people read it: Chinese first, English alongside. Codes (`penalty`,
/// `CREDENTIAL_SUSPENDED`) stay in the wire contract and in JSON for programs; whatever a
/// person reads shows the label.
public struct Label: Sendable, Equatable, Hashable {
    public let zh: String
    public let en: String

    public init(_ zh: String, _ en: String) {
        self.zh = zh
        self.en = en
    }

    /// "行政处罚 penalty": both, for a terminal or a document read in either language.
    public var both: String { zh == en ? zh : "\(zh) \(en)" }
}

/// A code with a label. Every enumeration a person may read conforms, in the files of
/// this folder; `VocabularyTests` fails when a case lacks either language.
public protocol Labelled {
    var label: Label { get }
}
