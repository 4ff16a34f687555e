import ArgumentParser
import FazhiRPC
import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import GRPCCore

/// `fazhi disclosure ...`: 行政执法公示 and its verifiable log.
struct DisclosureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disclosure",
        abstract: "行政执法公示 / disclosures: read and verify (anyone); release and correct (compliance officer); withdraw (approver).",
        subcommands: [List.self, Show.self, Due.self, Release.self, Withdraw.self, Correct.self, Verify.self, RotateKey.self])

    static func rows(_ entries: [Fazhi_V1_DisclosureEntry], json: Bool) -> [[String]] {
        entries.map {
            [
                $0.id, Shown.code($0.kind, as: DisclosureEntry.Kind.self, json: json),
                Shown.code($0.action, as: DisclosureEntry.Action.self, json: json),
                Shown.code($0.state, as: DisclosureEntry.State.self, json: json), $0.subject, $0.title, $0.occurredOn, $0.dueOn, $0.publishedAt,
                $0.late ? "late" : "",
                String($0.leafIndex),
            ]
        }
    }
    /// The log's published keys, the one in use first, as verifiers.
    static func verifiers(_ answer: Fazhi_V1_GetLogKeyResponse) throws -> [SignedNote.VerifierKey] {
        try ([answer.verifierKey] + answer.retiredVerifierKeys).map(SignedNote.VerifierKey.init)
    }

    static let headers = ["id", "kind", "action", "state", "subject", "title", "occurred_on", "due_on", "published_at", "late", "leaf"]

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Published entries, newest first (no sign-in).")
        @OptionGroup var client: ClientOptions
        @Option(name: .long, help: "The agency code; default: your session's or dev.json's.") var agency: String?
        @Option(name: .long, help: "enforcement_personnel, power_list, decision or annual_statistics.") var kind: String?
        @Option(name: .long, help: "Words in the title or subject.") var query: String?
        @Option(name: .long, help: "From this day (YYYY-MM-DD).") var from: String?
        @Option(name: .long, help: "Until this day (YYYY-MM-DD).") var until: String?

        func run() async throws {
            let code = try agency ?? client.defaultAgencyCode()
            let (kind, query, from, until) = (kind, query, from, until)
            let response = try await client.withClient { grpc in
                try await Fazhi_V1_DisclosureService.Client(wrapping: grpc).listDisclosures(
                    .with {
                        $0.agencyCode = code
                        $0.kind = kind ?? ""
                        $0.query = query ?? ""
                        $0.from = from ?? ""
                        $0.until = until ?? ""
                    })
            }
            try printTable(DisclosureCommand.headers, DisclosureCommand.rows(response.entries, json: client.json), json: client.json)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One entry, its content, and its proof checked against the signed log (no sign-in).")
        @OptionGroup var client: ClientOptions
        @Option(name: .long) var agency: String?
        @Argument(help: "The entry's id.") var id: String

        func run() async throws {
            let code = try agency ?? client.defaultAgencyCode()
            let id = id
            let (answer, key) = try await client.withClient { grpc in
                let service = Fazhi_V1_DisclosureService.Client(wrapping: grpc)
                return (
                    try await service.getDisclosure(
                        .with {
                            $0.agencyCode = code
                            $0.id = id
                        }),
                    try await service.getLogKey(.with { $0.agencyCode = code })
                )
            }
            try printTable(DisclosureCommand.headers, DisclosureCommand.rows([answer.entry], json: client.json), json: client.json)
            if !client.json {
                print(answer.entry.content.isEmpty ? "（内容已撤回 / content withdrawn）" : answer.entry.content)
                let entry = try DisclosureEntry(answer.entry)
                if answer.inclusionProof.isEmpty && entry.leafIndex == nil {
                    print("尚未记入日志 / not in the log yet")
                } else {
                    let verifiers = try DisclosureCommand.verifiers(key)
                    let checkpoint = try DisclosureVerification.verifyEntry(
                        entry, proof: answer.inclusionProof, checkpointNote: answer.checkpoint,
                        verifiers: verifiers)
                    let signer = try SignedNote.signer(of: answer.checkpoint, among: verifiers)
                    print("已核验 / verified: leaf \(entry.leafIndex ?? -1) of \(checkpoint.size), signed by \(signer?.description ?? key.verifierKey)")
                }
            }
        }
    }

    struct Due: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Drafts waiting for release, earliest due first (compliance officer, auditor).")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let session = try SavedSession.read()
            let response = try await client.withClient { grpc in
                try await Fazhi_V1_DisclosureService.Client(wrapping: grpc).listDueDisclosures(.init(), metadata: session.metadata)
            }
            try printTable(
                ["standing"] + DisclosureCommand.headers,
                response.entries.map { [$0.standing] + DisclosureCommand.rows([$0.entry], json: client.json)[0] },
                json: client.json)
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Release a redacted draft (compliance officer).")
        @OptionGroup var client: ClientOptions
        @Argument var id: String

        func run() async throws {
            let session = try SavedSession.read()
            let id = id
            let entry = try await client.withClient { grpc in
                try await Fazhi_V1_DisclosureService.Client(wrapping: grpc).releaseDisclosure(.with { $0.id = id }, metadata: session.mutating())
            }
            try printTable(DisclosureCommand.headers, DisclosureCommand.rows([entry], json: client.json), json: client.json)
        }
    }

    struct Withdraw: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Withdraw a published entry with a public reason (approver).")
        @OptionGroup var client: ClientOptions
        @Argument var id: String
        @Option(name: .long, help: "The public reason.") var reason: String
        @Option(name: .long, help: "The day the decision was changed or revoked (YYYY-MM-DD); default today.") var changedOn: String?

        func run() async throws {
            let session = try SavedSession.read()
            let (id, reason) = (id, reason)
            let changed = changedOn ?? Moment(instant: Date()).day.description
            let entry = try await client.withClient { grpc in
                try await Fazhi_V1_DisclosureService.Client(wrapping: grpc).withdrawDisclosure(
                    .with {
                        $0.id = id
                        $0.reason = reason
                        $0.changedOn = changed
                    }, metadata: session.mutating())
            }
            try printTable(DisclosureCommand.headers, DisclosureCommand.rows([entry], json: client.json), json: client.json)
        }
    }

    struct Correct: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Correct fields of an entry (compliance officer): --set field=value, repeated.")
        @OptionGroup var client: ClientOptions
        @Argument var id: String
        @Option(name: .long, help: "field=value") var set: [String]
        @Option(name: .long, help: "Why (public).") var reason: String

        func run() async throws {
            let session = try SavedSession.read()
            var fields: [String: String] = [:]
            for pair in set {
                guard let equals = pair.firstIndex(of: "=") else { throw ValidationError("--set takes field=value, not \(pair)") }
                fields[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            let (id, reason, corrections) = (id, reason, fields)
            let entry = try await client.withClient { grpc in
                try await Fazhi_V1_DisclosureService.Client(wrapping: grpc).correctDisclosure(
                    .with {
                        $0.id = id
                        $0.fields = corrections
                        $0.reason = reason
                    }, metadata: session.mutating())
            }
            try printTable(DisclosureCommand.headers, DisclosureCommand.rows([entry], json: client.json), json: client.json)
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify one entry, or the whole log against a checkpoint saved earlier (no sign-in).",
            discussion: """
                Without --entry, reads every entry of the log, recomputes every leaf and the root, checks the signed checkpoint, \
                and, with --checkpoint FILE, that the log still extends the checkpoint saved in FILE; --save FILE keeps the \
                current checkpoint for next time. --key pins the log's verifier key instead of asking the server for it; give it \
                once per key when the log's key was rotated (a checkpoint signed by any of them verifies). \
                Exits 1 and names the entries when anything was rewritten.
                """)
        @OptionGroup var client: ClientOptions
        @Option(name: .long) var agency: String?
        @Option(name: .long, help: "One entry's id.") var entry: String?
        @Option(name: .long, help: "A checkpoint (signed note) saved earlier.") var checkpoint: String?
        @Option(name: .long, help: "Save the current checkpoint to this file.") var save: String?
        @Option(name: .long, help: "The log's verifier key (name+hash+key), pinned; repeat for keys retired by rotation.") var key: [String] = []

        func run() async throws {
            let code = try agency ?? client.defaultAgencyCode()
            let (entryID, pinned) = (entry, key)
            let saved = try checkpoint.map { try String(contentsOfFile: $0, encoding: .utf8) }
            let outcome: Result<String, DisclosureVerification.Failure> = try await client.withClient { grpc in
                let service = Fazhi_V1_DisclosureService.Client(wrapping: grpc)
                let verifiers =
                    pinned.isEmpty
                    ? try DisclosureCommand.verifiers(try await service.getLogKey(.with { $0.agencyCode = code }))
                    : try pinned.map(SignedNote.VerifierKey.init)
                do {
                    if let entryID {
                        let answer = try await service.getDisclosure(
                            .with {
                                $0.agencyCode = code
                                $0.id = entryID
                            })
                        let checkpoint = try DisclosureVerification.verifyEntry(
                            try DisclosureEntry(answer.entry), proof: answer.inclusionProof,
                            checkpointNote: answer.checkpoint, verifiers: verifiers)
                        return .success("已核验 / verified: entry \(entryID) is leaf \(answer.entry.leafIndex) of the signed log of \(checkpoint.size)")
                    }
                    let latest = try await service.getCheckpoint(.with { $0.agencyCode = code })
                    let current = try Checkpoint(note: latest.checkpoint, verifiers: verifiers)
                    var entries: [DisclosureEntry] = []
                    while entries.count < current.size {
                        let page = try await service.listLogEntries(
                            .with {
                                $0.agencyCode = code
                                $0.start = Int64(entries.count)
                                $0.count = Int32(min(1000, current.size - entries.count))
                            })
                        guard !page.entries.isEmpty else { break }
                        entries += try page.entries.map(DisclosureEntry.init)
                    }
                    var earlier: Checkpoint?
                    var proof: [Data] = []
                    if let saved {
                        let old = try Checkpoint(note: saved, verifiers: verifiers)
                        earlier = old
                        if old.size > current.size {
                            throw DisclosureVerification.Failure(
                                "the log is shorter (\(current.size)) than the checkpoint saved at \(old.size): entries were dropped")
                        }
                        if old.size >= 1 {
                            proof = try await service.getConsistencyProof(
                                .with {
                                    $0.agencyCode = code
                                    $0.oldSize = Int64(old.size)
                                    $0.newSize = Int64(current.size)
                                }
                            ).proof
                        }
                    }
                    try DisclosureVerification.verifyLog(
                        entries: entries, checkpoint: current, saved: earlier?.size == 0 ? nil : earlier, consistency: proof)
                    if let save { try latest.checkpoint.write(toFile: save, atomically: true, encoding: .utf8) }
                    return .success(
                        "已核验 / verified: \(current.size) entries add up to the signed root"
                            + (earlier.map { "; the log extends the saved checkpoint of \($0.size)" } ?? ""))
                } catch let failure as DisclosureVerification.Failure {
                    return .failure(failure)
                }
            }
            switch outcome {
            case .success(let message):
                print(message)
            case .failure(let failure):
                print("核验失败 / verification FAILED: \(failure.description)")
                throw ExitCode(1)
            }
        }
    }

    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key",
            abstract: "更换公示日志签名密钥 / rotate your agency's log key (agency admin).",
            discussion: """
                Retires the key that signs the disclosure log's checkpoints and makes a new one. Checkpoints from now on \
                carry the new key's signature; every earlier checkpoint keeps verifying under the retired key, which stays \
                published (GetLogKey, the portal's /<agency>/log/keys). Tell those who pinned the old key to add the new one.
                """)
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let session = try SavedSession.read()
            let answer = try await client.withClient { grpc in
                try await Fazhi_V1_DisclosureService.Client(wrapping: grpc).rotateLogKey(.init(), metadata: session.mutating())
            }
            if client.json {
                try printTable(
                    ["state", "verifier_key"], [["in_use", answer.verifierKey]] + answer.retiredVerifierKeys.map { ["retired", $0] }, json: true)
            } else {
                print("新密钥 / new key: \(answer.verifierKey)")
                for key in answer.retiredVerifierKeys { print("已停用 / retired: \(key)") }
            }
        }
    }
}
