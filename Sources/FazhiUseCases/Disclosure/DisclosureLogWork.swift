import Crypto
import FazhiRules
import Foundation

/// Each agency's tamper-evident disclosure log (docs/ARCHITECTURE.md, "Disclosure log"): an
/// RFC 6962 tree over the entries' leaves, sequenced in batches by one leader at a time
/// (a transaction-scoped lock), with every checkpoint signed by the agency's own key in
/// the C2SP signed-note format. Business transactions only write entries with their
/// leaves; they never wait for the log.
public struct DisclosureLogWork: Sendable {
    public let store: any TenantStore
    public let keys: SigningKeyWork

    public init(store: any TenantStore, sealer: SigningKeySealer) {
        self.store = store
        keys = SigningKeyWork(store: store, sealer: sealer)
    }

    /// The log's name in its checkpoints and its key's name.
    public static func origin(of agency: Agency) -> String { "fazhi/\(agency.code)/disclosure" }

    /// Sequences what is waiting (up to `batch` leaves) and signs a new checkpoint.
    /// Returns nil when another leader holds the log or there was nothing to do.
    @discardableResult
    public func sequence(agency: Agency, at now: Date, batch: Int = 4096) async throws -> StoredCheckpoint? {
        let origin = Self.origin(of: agency)
        let keys = keys
        return try await store.transaction(agency: agency.id, .write(for: nil)) { tx in
            guard try await tx.disclosures.lockLog() else { return nil }
            let pending = try await tx.disclosures.unsequenced(limit: batch)
            let latest = try await tx.disclosures.latestCheckpoint()
            if pending.isEmpty, latest != nil { return nil }
            let size = latest?.size ?? 0
            var frontier = try MerkleFrontier(
                size: size, hashes: size == 0 ? [:] : try await tx.disclosures.nodes(Set(MerkleTree.rootPlan(size: size))))
            var completed: [(MerkleNode, Data)] = []
            for leaf in pending { completed += frontier.append(MerkleTree.leafHash(leaf.leaf)) }
            try await tx.disclosures.setLeafIndexes(pending.enumerated().map { ($0.element.id, size + $0.offset) })
            try await tx.disclosures.insertNodes(completed)
            let key = try keys.sealer.open(try await keys.ensure(SigningKeyWork.disclosureLog, tx: tx), purpose: SigningKeyWork.disclosureLog)
            let checkpoint = Checkpoint(origin: origin, size: frontier.size, root: frontier.root)
            let stored = StoredCheckpoint(
                size: checkpoint.size, root: checkpoint.root, note: try SignedNote.sign(checkpoint.text, name: origin, key: key),
                createdAt: now)
            try await tx.disclosures.insertCheckpoint(stored)
            return stored
        }
    }

    /// The key anyone verifies checkpoints with.
    public func verifierKey(agency: Agency) async throws -> SignedNote.VerifierKey {
        let key = try await keys.publicKey(agency: agency.id, purpose: SigningKeyWork.disclosureLog)
        return SignedNote.VerifierKey(name: Self.origin(of: agency), publicKey: key.rawRepresentation)
    }

    /// Every key the log has been signed with, the one in use first: retired keys stay
    /// published so the checkpoints they signed keep verifying.
    public func verifierKeys(agency: Agency) async throws -> [SignedNote.VerifierKey] {
        let history = try await keys.history(agency: agency.id, purpose: SigningKeyWork.disclosureLog)
        let inUse = history.filter { $0.retiredAt == nil }
        let retired = history.filter { $0.retiredAt != nil }.reversed()
        return (inUse + retired).map { SignedNote.VerifierKey(name: Self.origin(of: agency), publicKey: $0.publicKey) }
    }

    /// Retires the log's key and makes a new one (a key that may have leaked, or a
    /// scheduled change). Checkpoints from now on are signed by the new key; the old one
    /// stays published. Waits for the log's lock, so no checkpoint is being signed meanwhile.
    /// Returns the new key.
    public func rotateKey(_ caller: Caller, call: CallAudit, at now: Date) async throws -> SignedNote.VerifierKey {
        let keys = keys
        let agency = caller.agency
        let stored = try await store.transaction(agency: agency.id, .write(for: call)) { tx in
            try await tx.disclosures.waitForLog()
            _ = try await tx.credentials.retireSigningKey(purpose: SigningKeyWork.disclosureLog, at: now)
            return try await keys.ensure(SigningKeyWork.disclosureLog, tx: tx)
        }
        let key = SignedNote.VerifierKey(name: Self.origin(of: agency), publicKey: stored.publicKey)
        call.target("disclosure_log_key:\(String(format: "%08x", key.keyHash))")
        return key
    }

    public func latestCheckpoint(agency: Agency) async throws -> StoredCheckpoint? {
        try await store.transaction(agency: agency.id, .read) { tx in try await tx.disclosures.latestCheckpoint() }
    }

    /// An entry with its inclusion proof in the latest checkpoint (or in the one of
    /// `size`); the proof is nil while the entry waits for the sequencer.
    public func entry(
        agency: Agency, id: UUID, checkpointSize: Int? = nil
    ) async throws -> (DisclosureEntry, proof: [Data]?, checkpoint: StoredCheckpoint?) {
        try await store.transaction(agency: agency.id, .read) { tx in
            guard let entry = try await tx.disclosures.entry(id: id, locking: false), entry.state != .draft else {
                throw DomainError.noSuchDisclosure
            }
            let checkpoint: StoredCheckpoint?
            if let size = checkpointSize {
                guard let stored = try await tx.disclosures.checkpoint(size: size) else {
                    throw DomainError.noCheckpoint(size: size)
                }
                checkpoint = stored
            } else {
                checkpoint = try await tx.disclosures.latestCheckpoint()
            }
            guard let index = entry.leafIndex, let checkpoint, index < checkpoint.size else { return (entry, nil, checkpoint) }
            let plan = MerkleTree.inclusionPlan(index: index, size: checkpoint.size)
            return (entry, try MerkleTree.assemble(plan, hashes: try await tx.disclosures.nodes(MerkleTree.nodes(in: plan))), checkpoint)
        }
    }

    /// The entries of the leaves in `range` (as far as the log goes), in leaf order.
    public func entries(agency: Agency, _ range: Range<Int>) async throws -> [DisclosureEntry] {
        try await store.transaction(agency: agency.id, .read) { tx in try await tx.disclosures.entries(leafIndexes: range) }
    }

    /// The proof that the tree of `newSize` leaves extends the one of `oldSize`.
    public func consistency(agency: Agency, from oldSize: Int, to newSize: Int) async throws -> [Data] {
        guard oldSize >= 1, oldSize <= newSize else {
            throw DomainError.oldSizeOutOfRange
        }
        return try await store.transaction(agency: agency.id, .read) { tx in
            guard let latest = try await tx.disclosures.latestCheckpoint(), newSize <= latest.size else {
                throw DomainError.newSizeBeyondLog
            }
            let plan = MerkleTree.consistencyPlan(from: oldSize, to: newSize)
            return try MerkleTree.assemble(plan, hashes: try await tx.disclosures.nodes(MerkleTree.nodes(in: plan)))
        }
    }

    /// A tile of the tlog-tiles layout, as the latest checkpoint has it; nil when the
    /// tree has no such tile yet.
    public func tile(agency: Agency, _ path: TilePath) async throws -> Data? {
        try await store.transaction(agency: agency.id, .read) { tx in
            guard let latest = try await tx.disclosures.latestCheckpoint(),
                let available = TilePath.available(path.kind, index: path.index, treeSize: latest.size), available.width >= path.width
            else { return nil }
            switch path.kind {
            case .hashes:
                let hashes = try await tx.disclosures.nodes(Set(path.nodes))
                return try path.nodes.reduce(into: Data()) { tile, node in
                    guard let hash = hashes[node] else { throw MerkleTree.MissingNode(node: node) }
                    tile.append(hash)
                }
            case .entries:
                let first = path.index * TilePath.width
                return try await tx.disclosures.leaves(first..<(first + path.width)).reduce(into: Data()) { bundle, leaf in
                    bundle.append(UInt8(leaf.count >> 8))
                    bundle.append(UInt8(leaf.count & 0xFF))
                    bundle.append(leaf)
                }
            }
        }
    }
}
