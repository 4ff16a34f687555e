import FazhiRPC
import FazhiRules
import FazhiUseCases
import FazhiWire
import Foundation
import GRPCCore
import Synchronization

/// `fazhi.v1.CaseRecordService`: evidence files and corrections of the record.
struct CaseRecordServiceAdapter: Fazhi_V1_CaseRecordService.SimpleServiceProtocol {
    let work: CaseWork
    let evidence: (any EvidenceStore)?
    let maximumBytes: Int
    let clock: @Sendable () -> Date
    /// A download whose client stops reading is ended after this long.
    let idleTimeout: Duration

    func uploadEvidence(request: RPCAsyncSequence<Fazhi_V1_EvidenceChunk, any Error>, context: ServerContext) async throws -> Fazhi_V1_CaseRecordEntry
    {
        let store = try self.store()
        let caller = try CallScope.caller()
        // The first message names the case, step and hash (its fields checked before a byte
        // is kept); every message's bytes stream straight into the store.
        let header = EvidenceHeader()
        let data = request.map { chunk throws -> Data in
            try header.see(chunk)
            return chunk.data
        }
        let stored = try await store.store(agency: caller.agency.id, limit: maximumBytes, chunks: data) { try header.fields().sha256 }
        do {
            let fields = try header.fields()
            return .init(
                try await work.attachEvidence(
                    caller, caseID: fields.caseID, step: fields.step, sha256: stored.sha256, text: fields.text,
                    call: CallScope.call, at: Moment(instant: clock())))
        } catch {
            // Refused after the bytes arrived: a file this upload created is linked to nothing.
            if stored.created { try? await store.discard(agency: caller.agency.id, sha256: stored.sha256) }
            throw error
        }
    }

    func downloadEvidence(request: Fazhi_V1_DownloadEvidenceRequest, response: RPCWriter<Fazhi_V1_EvidenceChunk>, context: ServerContext) async throws
    {
        let store = try self.store()
        let caller = try CallScope.caller()
        let caseID = try RequestField.identifier(request.caseID, field: "case_id", zh: "案件编号")
        let sha256 = try EvidenceHash.validated(request.sha256)
        CallScope.call.target("case:\(caseID.uuidString.lowercased())", "evidence:\(sha256)")
        guard try await work.evidenceBelongs(caller, caseID: caseID, sha256: sha256),
            let chunks = try await store.read(agency: caller.agency.id, sha256: sha256)
        else {
            throw DomainError.noSuchEvidence
        }
        let response = IdleLimitedWriter(base: response, idleTimeout: idleTimeout)
        for try await chunk in chunks { try await response.write(.with { $0.data = chunk }) }
    }

    func correctRecord(request: Fazhi_V1_CorrectRecordRequest, context: ServerContext) async throws -> Fazhi_V1_CaseRecordEntry {
        let caseID = try RequestField.identifier(request.caseID, field: "case_id", zh: "案件编号")
        guard request.entryID > 0 else { throw RequestField.missing("entry_id", zh: "被更正的记录") }
        return .init(
            try await work.correct(
                try CallScope.caller(), caseID: caseID, entryID: request.entryID, text: request.text,
                call: CallScope.call, at: Moment(instant: clock())))
    }

    private func store() throws -> any EvidenceStore {
        guard let evidence else {
            throw DomainError.noEvidenceStore
        }
        return evidence
    }
}

/// The first message of an upload, kept as it passes.
private final class EvidenceHeader: Sendable {
    struct Fields {
        var caseID: UUID
        var step: CaseStep
        var sha256: String
        var text: String
    }

    private let first = Mutex<Fields?>(nil)

    /// Checks the first message's fields; later messages pass.
    func see(_ chunk: Fazhi_V1_EvidenceChunk) throws {
        guard first.withLock({ $0 == nil }) else { return }
        let caseID = try RequestField.identifier(chunk.caseID, field: "case_id", zh: "案件编号")
        guard let step = CaseStep(rawValue: chunk.step) else {
            throw DomainError.evidenceStepMissing
        }
        let fields = Fields(caseID: caseID, step: step, sha256: try EvidenceHash.validated(chunk.sha256), text: chunk.text)
        first.withLock { $0 = fields }
    }

    func fields() throws -> Fields {
        guard let fields = first.withLock({ $0 }) else { throw RequestField.missing("case_id", zh: "案件编号") }
        return fields
    }
}
