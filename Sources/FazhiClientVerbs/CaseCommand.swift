import ArgumentParser
import Crypto
import FazhiRPC
import FazhiRules
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// `fazhi case ...`: 执法办案.
struct CaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case", abstract: "执法案件 / enforcement cases and their full-process record.",
        subcommands: [
            Open.self, Step.self, Confirm.self, Recuse.self, Review.self, Approve.self, Decide.self, Close.self, Show.self, List.self,
            Evidence.self, Download.self, Correct.self, Findings.self, Verify.self, Overdue.self,
        ])

    static let headers = ["case_id", "kind", "item", "status", "next_step", "major", "opened_on", "decision"]

    static func rows(_ cases: [Fazhi_V1_Case], json: Bool) -> [[String]] {
        cases.map {
            [
                $0.caseID, Shown.code($0.kind, as: CaseKind.self, json: json), $0.itemCode,
                Shown.code($0.status, as: EnforcementCase.Status.self, json: json), Shown.code($0.nextStep, as: CaseStep.self, json: json),
                Shown.code($0.major, as: PowerItem.Major.self, json: json), $0.openedOn, $0.decision.documentNumber,
            ]
        }
    }

    static func run(
        _ client: ClientOptions,
        _ call: @escaping @Sendable (Fazhi_V1_CaseService.Client<HTTP2ClientTransport.Posix>, Metadata) async throws -> Fazhi_V1_Case,
        mutating: Bool = true
    ) async throws {
        let session = try SavedSession.read()
        let kase = try await client.withClient { grpc in
            try await call(Fazhi_V1_CaseService.Client(wrapping: grpc), mutating ? session.mutating() : session.metadata)
        }
        try printTable(headers, rows([kase], json: client.json), json: client.json)
    }

    /// A case and a note for its record: what the plain actions take.
    struct CaseAction: ParsableArguments {
        @Argument var caseID: String
        @Option(name: .long) var text = ""

        var request: Fazhi_V1_CaseActionRequest {
            .with {
                $0.caseID = caseID
                $0.text = text
            }
        }
    }

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "立案 / open a case; you must be one of the officers.")
        @OptionGroup var client: ClientOptions
        @Option(name: .long, help: "The power-list item, e.g. MZ-CF-003.") var item: String
        @Option(name: .long) var party: String
        @Option(name: .long, parsing: .upToNextOption, help: "Officer ids (yours included).") var officers: [String]
        @Option(name: .long, help: "Division code; default: the agency's.") var area = ""
        @Option(name: .long) var text = ""

        func run() async throws {
            let request = Fazhi_V1_OpenCaseRequest.with {
                $0.itemCode = item
                $0.partyID = party
                $0.officerIds = officers
                $0.area = area
                $0.text = text
            }
            try await CaseCommand.run(client) { try await $0.openCase(request, metadata: $1) }
        }
    }

    struct Step: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An enforcement step: investigate, notify, inspect, serve, execute.")
        @OptionGroup var client: ClientOptions
        @Argument var caseID: String
        @Argument var step: String
        @Option(name: .long, parsing: .upToNextOption) var officers: [String]
        @Option(name: .long, help: "notify: the intended fine (yuan).") var intendedFine = ""
        @Flag(name: .long, help: "notify: the intended decision revokes a registration.") var revokes = false
        @Option(name: .long) var text = ""

        func run() async throws {
            let request = Fazhi_V1_TakeStepRequest.with {
                $0.caseID = caseID
                $0.step = step
                $0.officerIds = officers
                $0.intendedFine = intendedFine
                $0.revokesRegistration = revokes
                $0.text = text
            }
            try await CaseCommand.run(client) { try await $0.takeStep(request, metadata: $1) }
        }
    }

    struct Confirm: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Confirm your part of the latest step.")
        @OptionGroup var client: ClientOptions
        @OptionGroup var action: CaseAction

        func run() async throws {
            let request = action.request
            try await CaseCommand.run(client) { try await $0.confirmStep(request, metadata: $1) }
        }
    }

    struct Recuse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "回避 / withdraw from the case.")
        @OptionGroup var client: ClientOptions
        @OptionGroup var action: CaseAction

        func run() async throws {
            let request = action.request
            try await CaseCommand.run(client) { try await $0.recuse(request, metadata: $1) }
        }
    }

    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "法制审核 / legal review: approve, return or reject, with reasons.")
        @OptionGroup var client: ClientOptions
        @Argument var caseID: String
        @Argument var outcome: String
        @Option(name: .long, help: "The written reasons.") var text: String

        func run() async throws {
            let request = Fazhi_V1_ReviewCaseRequest.with {
                $0.caseID = caseID
                $0.outcome = outcome
                $0.text = text
            }
            try await CaseCommand.run(client) { try await $0.reviewCase(request, metadata: $1) }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "负责人审批 / approve.")
        @OptionGroup var client: ClientOptions
        @OptionGroup var action: CaseAction

        func run() async throws {
            let request = action.request
            try await CaseCommand.run(client) { try await $0.approveCase(request, metadata: $1) }
        }
    }

    struct Decide: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "决定 / decide; the document number comes from the agency's pattern.")
        @OptionGroup var client: ClientOptions
        @Argument var caseID: String
        @Option(name: .long) var outcome: String
        @Option(name: .long) var basis: String
        @Option(name: .long, help: "Yuan, e.g. 5000.00.") var fine = ""
        @Option(name: .long) var text = ""

        func run() async throws {
            let request = Fazhi_V1_DecideCaseRequest.with {
                $0.caseID = caseID
                $0.outcome = outcome
                $0.legalBasis = basis
                $0.fine = fine
                $0.text = text
            }
            try await CaseCommand.run(client) { try await $0.decideCase(request, metadata: $1) }
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "结案 / close.")
        @OptionGroup var client: ClientOptions
        @OptionGroup var action: CaseAction

        func run() async throws {
            let request = action.request
            try await CaseCommand.run(client) { try await $0.closeCase(request, metadata: $1) }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A case with its whole record.")
        @OptionGroup var client: ClientOptions
        @Argument var caseID: String

        func run() async throws {
            let session = try SavedSession.read()
            let kase = try await client.withClient { grpc in
                try await Fazhi_V1_CaseService.Client(wrapping: grpc).getCase(.with { $0.caseID = caseID }, metadata: session.metadata)
            }
            try printTable(CaseCommand.headers, CaseCommand.rows([kase], json: client.json), json: client.json)
            if !client.json {
                print("")
                try printTable(
                    ["at", "step", "event", "actor", "officers", "text"],
                    kase.record.map {
                        [
                            Shown.time($0.at.date, json: false), Shown.code($0.step, as: CaseStep.self, json: false), $0.event, $0.actor,
                            $0.officerIds.joined(separator: ","), $0.text,
                        ]
                    }, json: false)
            }
        }
    }

    struct List: AsyncParsableCommand {
        @OptionGroup var client: ClientOptions
        @Option(name: .long, help: "open or closed.") var status = ""
        @Option(name: .long) var item = ""
        @Option(name: .long) var party = ""
        @Option(name: .long) var officer = ""
        @Option(name: .long, help: "Opened on or after, YYYY-MM-DD.") var from = ""
        @Option(name: .long, help: "Opened on or before, YYYY-MM-DD.") var until = ""

        func run() async throws {
            let session = try SavedSession.read()
            let cases = try await client.withClient { grpc in
                var all: [Fazhi_V1_Case] = []
                var token = ""
                repeat {
                    let page = try await Fazhi_V1_CaseService.Client(wrapping: grpc).listCases(
                        .with {
                            $0.page.pageToken = token
                            $0.page.pageSize = 200
                            $0.status = status
                            $0.itemCode = item
                            $0.partyID = party
                            $0.officerID = officer
                            $0.openedFrom = from
                            $0.openedUntil = until
                        }, metadata: session.metadata)
                    all += page.cases
                    token = page.nextPageToken
                } while !token.isEmpty
                return all
            }
            try printTable(CaseCommand.headers, CaseCommand.rows(cases, json: client.json), json: client.json)
        }
    }

    struct Evidence: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an evidence file to the case's record (streamed, hashed here and on the server).")
        @OptionGroup var client: ClientOptions
        @Argument var caseID: String
        @Argument var file: String
        @Option(name: .long, help: "The step it belongs to, e.g. investigate.") var step: String
        @Option(name: .long) var text = ""

        func run() async throws {
            let session = try SavedSession.read()
            guard let handle = FileHandle(forReadingAtPath: file) else { throw CommandFailure("cannot read \(file)") }
            defer { try? handle.close() }
            // Hashed first, so the server can check what arrives against it.
            var hasher = SHA256()
            while let chunk = try handle.read(upToCount: 256 * 1024), !chunk.isEmpty { hasher.update(data: chunk) }
            let sha256 = hasher.finalize().map { String(format: "%02x", $0) }.joined()
            let (caseID, step, text, file) = (caseID, step, text, file)
            let entry = try await client.withClient { grpc in
                try await Fazhi_V1_CaseRecordService.Client(wrapping: grpc).uploadEvidence(metadata: session.metadata) { writer in
                    guard let reader = FileHandle(forReadingAtPath: file) else { throw CommandFailure("cannot read \(file)") }
                    defer { try? reader.close() }
                    try await writer.write(
                        .with {
                            $0.caseID = caseID
                            $0.step = step
                            $0.sha256 = sha256
                            $0.text = text
                        })
                    while let chunk = try reader.read(upToCount: 64 * 1024), !chunk.isEmpty {
                        try await writer.write(.with { $0.data = chunk })
                    }
                }
            }
            try printTable(
                ["entry", "step", "sha256"], [[String(entry.id), entry.step, entry.evidenceSha256.joined(separator: ",")]], json: client.json)
        }
    }

    struct Download: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Save an evidence file of the case by its SHA-256.")
        @OptionGroup var client: ClientOptions
        @Argument var caseID: String
        @Argument var sha256: String
        @Option(name: .long, help: "Where to write it.") var out: String

        func run() async throws {
            let session = try SavedSession.read()
            guard FileManager.default.createFile(atPath: out, contents: nil), let handle = FileHandle(forWritingAtPath: out) else {
                throw CommandFailure("cannot write \(out)")
            }
            defer { try? handle.close() }
            let request = Fazhi_V1_DownloadEvidenceRequest.with {
                $0.caseID = caseID
                $0.sha256 = sha256
            }
            let written = try await client.withClient { grpc in
                try await Fazhi_V1_CaseRecordService.Client(wrapping: grpc).downloadEvidence(request, metadata: session.metadata) { response in
                    var count = 0
                    for try await chunk in response.messages {
                        try handle.write(contentsOf: chunk.data)
                        count += chunk.data.count
                    }
                    return count
                }
            }
            try printTable(["file", "bytes"], [[out, String(written)]], json: client.json)
        }
    }

    struct Correct: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "更正 / add a correction pointing at a record entry.")
        @OptionGroup var client: ClientOptions
        @Argument var caseID: String
        @Argument var entryID: Int64
        @Option(name: .long) var text: String

        func run() async throws {
            let session = try SavedSession.read()
            let request = Fazhi_V1_CorrectRecordRequest.with {
                $0.caseID = caseID
                $0.entryID = entryID
                $0.text = text
            }
            let entry = try await client.withClient { grpc in
                try await Fazhi_V1_CaseRecordService.Client(wrapping: grpc).correctRecord(request, metadata: session.mutating())
            }
            try printTable(["entry", "corrects", "text"], [[String(entry.id), String(entry.corrects), entry.text]], json: client.json)
        }
    }

    struct Findings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "检查发现 / record findings of the inspection just completed (each gets a rectification order).")
        @OptionGroup var client: ClientOptions
        @Argument var caseID: String
        @Option(name: .long, help: "CODE=description, e.g. FIRE-1=灭火器过期; repeatable.") var finding: [String]
        @Option(name: .long) var text = ""

        func run() async throws {
            let findings = try finding.map { entry -> Fazhi_V1_RecordFindingsRequest.NewFinding in
                let parts = entry.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { throw CommandFailure("--finding takes CODE=description, got \"\(entry)\"") }
                return .with {
                    $0.checklistCode = String(parts[0])
                    $0.description_p = String(parts[1])
                }
            }
            let request = Fazhi_V1_RecordFindingsRequest.with {
                $0.caseID = caseID
                $0.findings = findings
                $0.text = text
            }
            try await CaseCommand.run(client) { try await $0.recordFindings(request, metadata: $1) }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "复查确认 / after a re-inspection, the findings verified rectified.")
        @OptionGroup var client: ClientOptions
        @Argument var caseID: String
        @Argument var findingIDs: [String]
        @Option(name: .long) var text = ""

        func run() async throws {
            let request = Fazhi_V1_VerifyRectificationRequest.with {
                $0.caseID = caseID
                $0.findingIds = findingIDs
                $0.text = text
            }
            try await CaseCommand.run(client) { try await $0.verifyRectification(request, metadata: $1) }
        }
    }

    struct Overdue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "逾期整改 / rectification orders past their deadline.")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let session = try SavedSession.read()
            let response = try await client.withClient { grpc in
                try await Fazhi_V1_CaseService.Client(wrapping: grpc).listOverdueRectifications(.init(), metadata: session.metadata)
            }
            try printTable(
                ["unit", "item", "case_id", "finding", "deadline", "overdue_since"],
                response.orders.map {
                    [
                        $0.unit, $0.itemCode, $0.caseID, "\($0.finding.checklistCode) \($0.finding.description_p)", $0.finding.deadline,
                        $0.finding.overdueSince,
                    ]
                }, json: client.json)
        }
    }
}
