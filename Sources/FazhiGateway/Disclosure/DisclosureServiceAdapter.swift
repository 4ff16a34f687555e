import FazhiRPC
import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import GRPCCore

/// `fazhi.v1.DisclosureService`: the public reads disclosures and proves them against the
/// agency's signed log; compliance officers release and correct; approvers withdraw.
struct DisclosureServiceAdapter: Fazhi_V1_DisclosureService.SimpleServiceProtocol {
    let work: DisclosureWork
    let log: DisclosureLogWork
    let clock: @Sendable () -> Date

    private var now: Moment { Moment(instant: clock()) }

    // MARK: Public

    func listDisclosures(request: Fazhi_V1_ListDisclosuresRequest, context: ServerContext) async throws -> Fazhi_V1_ListDisclosuresResponse {
        let agency = try await publicAgency(request.agencyCode)
        let page = try Page(size: request.pageSize, token: request.pageToken)
        var filter = DisclosureFilter()
        if !request.kind.isEmpty {
            guard let kind = DisclosureEntry.Kind(rawValue: request.kind) else {
                throw DomainError.notOneOf(
                    field: "kind", label: "公示类别", allowed: ["enforcement_personnel", "power_list", "decision", "annual_statistics"])
            }
            filter.kind = kind
        }
        filter.category = request.category.isEmpty ? nil : request.category
        filter.partyType = request.partyType.isEmpty ? nil : request.partyType
        filter.from = request.from.isEmpty ? nil : try RequestField.calendarDay(request.from, field: "from", zh: "起始日期")
        filter.until = request.until.isEmpty ? nil : try RequestField.calendarDay(request.until, field: "until", zh: "截止日期")
        filter.text = request.query.isEmpty ? nil : String(request.query.prefix(100))
        let entries = try await work.publicEntries(agency: agency, filter, after: try Self.after(page), limit: page.size)
        return .with {
            $0.entries = entries.map(Fazhi_V1_DisclosureEntry.init)
            $0.nextPageToken = page.nextToken(
                count: entries.count,
                lastKey: entries.last.flatMap { last in
                    last.publishedAt.map { "\(DisclosureLeaf.timestamp($0))\u{1F}\(last.id.uuidString)" }
                })
        }
    }

    func getDisclosure(request: Fazhi_V1_GetDisclosureRequest, context: ServerContext) async throws -> Fazhi_V1_GetDisclosureResponse {
        let agency = try await publicAgency(request.agencyCode)
        let id = try RequestField.identifier(request.id, field: "id", zh: "公示条目编号")
        try Self.checkSize(request.treeSize, field: "tree_size", zh: "树大小")
        let (entry, proof, checkpoint) = try await log.entry(
            agency: agency, id: id, checkpointSize: request.treeSize == 0 ? nil : Int(request.treeSize))
        return .with {
            $0.entry = .init(entry)
            $0.inclusionProof = proof ?? []
            $0.checkpoint = checkpoint?.note ?? ""
        }
    }

    func getCheckpoint(request: Fazhi_V1_GetCheckpointRequest, context: ServerContext) async throws -> Fazhi_V1_GetCheckpointResponse {
        let agency = try await publicAgency(request.agencyCode)
        guard let checkpoint = try await log.latestCheckpoint(agency: agency) else {
            throw DomainError.noCheckpointYet
        }
        return .with {
            $0.checkpoint = checkpoint.note
            $0.treeSize = Int64(checkpoint.size)
            $0.rootHash = checkpoint.root
        }
    }

    func getConsistencyProof(
        request: Fazhi_V1_GetConsistencyProofRequest, context: ServerContext
    ) async throws -> Fazhi_V1_GetConsistencyProofResponse {
        let agency = try await publicAgency(request.agencyCode)
        try Self.checkSize(request.oldSize, field: "old_size", zh: "旧树大小")
        try Self.checkSize(request.newSize, field: "new_size", zh: "新树大小")
        let proof = try await log.consistency(agency: agency, from: Int(request.oldSize), to: Int(request.newSize))
        return .with { $0.proof = proof }
    }

    func getLogKey(request: Fazhi_V1_GetLogKeyRequest, context: ServerContext) async throws -> Fazhi_V1_GetLogKeyResponse {
        let agency = try await publicAgency(request.agencyCode)
        return Self.logKeys(try await log.verifierKeys(agency: agency))
    }

    func rotateLogKey(request: Fazhi_V1_RotateLogKeyRequest, context: ServerContext) async throws -> Fazhi_V1_GetLogKeyResponse {
        let caller = try CallScope.caller()
        _ = try await log.rotateKey(caller, call: CallScope.call, at: clock())
        return Self.logKeys(try await log.verifierKeys(agency: caller.agency))
    }

    /// The key in use first, then the retired ones.
    private static func logKeys(_ keys: [SignedNote.VerifierKey]) -> Fazhi_V1_GetLogKeyResponse {
        .with {
            $0.verifierKey = keys.first?.description ?? ""
            $0.origin = keys.first?.name ?? ""
            $0.retiredVerifierKeys = keys.dropFirst().map(\.description)
        }
    }

    func listLogEntries(request: Fazhi_V1_ListLogEntriesRequest, context: ServerContext) async throws -> Fazhi_V1_ListLogEntriesResponse {
        let agency = try await publicAgency(request.agencyCode)
        try Self.checkSize(request.start, field: "start", zh: "起始序号")
        guard (1...1000).contains(request.count) else {
            throw DomainError.entryCountOutOfRange
        }
        let entries = try await log.entries(agency: agency, Int(request.start)..<Int(request.start) + Int(request.count))
        return .with { $0.entries = entries.map(Fazhi_V1_DisclosureEntry.init) }
    }

    // MARK: Staff

    func listDueDisclosures(request: Fazhi_V1_ListDueDisclosuresRequest, context: ServerContext) async throws -> Fazhi_V1_ListDueDisclosuresResponse {
        let page = try Page(size: request.pageSize, token: "")
        let due = try await work.due(try CallScope.caller(), on: now.day, limit: page.size)
        return .with {
            $0.entries = due.map { entry, standing in
                .with {
                    $0.entry = .init(entry)
                    $0.standing = standing.rawValue
                }
            }
        }
    }

    func releaseDisclosure(request: Fazhi_V1_ReleaseDisclosureRequest, context: ServerContext) async throws -> Fazhi_V1_DisclosureEntry {
        .init(
            try await work.release(
                try CallScope.caller(), entryID: try RequestField.identifier(request.id, field: "id", zh: "公示条目编号"), call: CallScope.call, at: now))
    }

    func withdrawDisclosure(request: Fazhi_V1_WithdrawDisclosureRequest, context: ServerContext) async throws -> Fazhi_V1_DisclosureEntry {
        let id = try RequestField.identifier(request.id, field: "id", zh: "公示条目编号")
        let changed = try RequestField.calendarDay(request.changedOn, field: "changed_on", zh: "决定变更日期")
        return .init(
            try await work.withdraw(try CallScope.caller(), entryID: id, reason: request.reason, changedOn: changed, call: CallScope.call, at: now))
    }

    func correctDisclosure(request: Fazhi_V1_CorrectDisclosureRequest, context: ServerContext) async throws -> Fazhi_V1_DisclosureEntry {
        let id = try RequestField.identifier(request.id, field: "id", zh: "公示条目编号")
        return .init(
            try await work.correct(try CallScope.caller(), entryID: id, fields: request.fields, reason: request.reason, call: CallScope.call, at: now)
        )
    }

    // MARK: Helpers

    private func publicAgency(_ code: String) async throws -> Agency {
        guard !code.isEmpty else { throw RequestField.missing("agency_code", zh: "机构代码") }
        CallScope.call.target("agency:\(code.prefix(32))")
        guard let agency = try await work.store.publicAgency(code: code) else {
            throw DomainError.noSuchAgency
        }
        return agency
    }

    /// The most leaves a log is ever asked about: far beyond any agency's log, and far
    /// from the end of `Int64`, so index arithmetic on a size never overflows.
    static let maximumLogSize: Int64 = 1 << 48

    /// A leaf index or tree size of a request: 0 through `maximumLogSize`.
    private static func checkSize(_ value: Int64, field: String, zh: String) throws {
        guard (0...maximumLogSize).contains(value) else {
            throw DomainError.logSizeOutOfRange(field: field, label: zh, maximum: maximumLogSize)
        }
    }

    private static func after(_ page: Page) throws -> (publishedAt: Date, id: UUID)? {
        guard let after = page.after else { return nil }
        let parts = after.split(separator: "\u{1F}")
        guard parts.count == 2, let id = UUID(uuidString: String(parts[1])), let at = DisclosureLeaf.date(String(parts[0])) else {
            throw DomainError.invalidPageToken(field: "page_token")
        }
        return (at, id)
    }
}
