import Foundation
import KeyChainCore
import KeyChainStore
import Logging

/// A node's view of consensus: the block tree over a `BlockStorage`, the key index of the best
/// chain and the mempool. It accepts headers, blocks and puts, follows the most cumulative work
/// (the first seen wins a tie) through reorganisations of any depth. The key index lives in a
/// database beside the blocks when the storage has one (`KeyIndexDatabase`), written behind
/// the chain one update at a time (`KeyIndexFlusher`), so a restart replays only the blocks
/// the database had not recorded yet.
///
/// Not thread-safe: one owner (the node's `ChainOwner`, or a simulated node) calls it.
public final class Blockchain {
    /// The network's genesis parameters.
    public let parameters: NetworkParameters
    /// The header and body rules.
    public let validator: BlockValidator
    /// Verified signatures, shared with the mempool.
    public let signatures: SignatureCache
    /// Puts waiting for a block.
    public let mempool: Mempool
    /// Key versions on the best chain.
    public private(set) var keyIndex: KeyIndex
    /// Every known header and the best chain.
    public private(set) var tree: BlockTree
    /// Blocks applied to the key index when the chain was opened: those its database had not
    /// recorded (every block, when it was built anew).
    public private(set) var blocksReplayedAtOpen = 0
    /// Keys and txids the key index may hold in memory before the chain waits for its
    /// database to catch up (a sync or a rebuild outruns the writer).
    public var maxHeldInMemory: Int

    let storage: BlockStorage
    /// The key index's database, when the storage has a place for one.
    private let keyIndexDatabase: KeyIndexDatabase?
    /// Writes the key index's updates to its database, behind the chain.
    private let flusher: KeyIndexFlusher?
    let clock: @Sendable () -> UInt64
    let logger: Logger
    private var nextSequence: UInt64 = 1
    private var candidates: Set<Hash256> = []
    /// The last update the key index dropped from memory, as its database had recorded it.
    private var prunedThrough: UInt64 = 0
    /// The block `checkBody` last passed, which `store` need not check again. The block
    /// itself, not its hash: a txid leaves out the signature, so another body with other
    /// signatures has the same hash (and an identical copy compares in constant time).
    private var checkedBody: Block?
    /// The last blocks stored, decoded and framed once, shared with the transport.
    public let recentBlocks: RecentBlocks

    /// Milliseconds since the Unix epoch, from the system clock.
    public static let systemClock: @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }

    /// Opens the chain stored in `storage`, or starts a new one at the network's genesis block.
    /// Opens the key index's database and connects whatever stored blocks it has not recorded,
    /// on the chain with the most work. The index uses about `keyIndexCacheBytes` of memory:
    /// half for the database's page cache, half for updates it has not recorded yet.
    public init(
        parameters: NetworkParameters, storage: BlockStorage, clock: @escaping @Sendable () -> UInt64 = Blockchain.systemClock,
        signatures: SignatureCache = SignatureCache(), mempoolLimits: Mempool.Limits = .init(),
        keyIndexCacheBytes: Int = 64 << 20, recentBlocks: RecentBlocks = RecentBlocks(),
        logger: Logger = Logger(label: "keychain.chain")
    ) throws(ChainError) {
        self.parameters = parameters
        self.recentBlocks = recentBlocks
        self.validator = BlockValidator(parameters: parameters)
        self.signatures = signatures
        self.mempool = Mempool(limits: mempoolLimits)
        self.storage = storage
        self.clock = clock
        self.logger = logger
        // A key or txid held in memory costs about 400 bytes with its value and the maps' nodes.
        maxHeldInMemory = max(keyIndexCacheBytes / 2 / 400, 10_000)

        let genesisBlock = parameters.genesisBlock
        let genesisHash = genesisBlock.hash
        let genesisWork = parameters.target.work
        var entries = storage.entries
        if entries.isEmpty {
            do {
                try storage.append(genesisBlock, height: 0, cumulativeWork: genesisWork)
                try storage.setStatus(.valid, for: genesisHash)
            } catch {
                throw .storage(error.description)
            }
            entries = storage.entries
        }
        guard let first = entries.first, first.hash == genesisHash else {
            throw .genesisMismatch(expected: genesisHash, found: entries.first?.hash ?? .zero)
        }
        let genesis = BlockNode(hash: genesisHash, header: genesisBlock.header, height: 0, cumulativeWork: genesisWork, status: .valid, sequence: 0)
        tree = BlockTree(genesis: genesis)
        if let path = storage.keyIndexPath {
            do {
                let database = try KeyIndexDatabase(path: path, cacheBytes: keyIndexCacheBytes / 2)
                let state = try database.state()
                keyIndex = KeyIndex(database: database, state: state, genesis: genesisHash)
                keyIndexDatabase = database
                flusher = KeyIndexFlusher(database: database, written: state?.sequence ?? 0, logger: logger)
            } catch {
                throw .storage(error.description)
            }
        } else {
            keyIndex = KeyIndex(genesis: genesisHash)
            keyIndexDatabase = nil
            flusher = nil
        }
        try restore(entries.dropFirst())
    }

    // MARK: - Reading

    /// The best chain's tip.
    public var tip: BlockNode { tree.tip }

    /// The best chain's height.
    public var height: UInt32 { tree.height }

    /// A stored block by hash.
    public func block(_ hash: Hash256) throws(BlockError) -> Block {
        if let recent = recentBlocks.block(hash) { return recent }
        do { return try storage.block(hash) } catch { throw .storage(error.description) }
    }

    /// The best chain's block at `height`.
    public func block(atHeight height: UInt32) throws(BlockError) -> Block? {
        guard let node = tree.activeNode(at: height) else { return nil }
        return try block(node.hash)
    }

    // MARK: - Accepting

    /// Adds a header whose parent is known, after the header rules. Returns the node (the
    /// existing one if it was known).
    @discardableResult
    public func acceptHeader(_ header: BlockHeader) throws(BlockError) -> BlockNode {
        let hash = header.hash
        if let existing = tree.node(hash) {
            if existing.status == .invalid { throw .knownInvalid(hash) }
            return existing
        }
        guard let parent = tree.node(header.previous) else { throw .unknownParent(header.previous) }
        guard parent.status != .invalid else { throw .invalidParent(parent.hash) }
        let target = try validator.checkHeader(header, hash: hash, parent: parent, medianTimePast: tree.medianTimePast(of: parent.hash), now: clock())
        let node = BlockNode(hash: hash, header: header, height: parent.height + 1,
                             cumulativeWork: parent.cumulativeWork + target.work,
                             status: .headerOnly, sequence: .max)
        tree.insert(node)
        return node
    }

    /// Adds a block: header rules, body rules, durable storage, then the best chain moves to it
    /// if it makes the chain with the most work. Returns what moved.
    @discardableResult
    public func acceptBlock(_ block: Block) throws(BlockError) -> ChainUpdate {
        // A block stored already (by `store(_:)`, or received twice) is not stored again;
        // the chain moves only if it has a better candidate now.
        let node = try store(block)
        let update = activateBestChain(mined: block)
        if tree.node(block.hash)?.status == .invalid {
            // Broke a rule that needs the key index (ownership, compare-and-set, replay), or
            // descends from a block that did.
            throw update.invalidated.first { $0.hash == block.hash }?.error ?? .invalidParent(node.header.previous)
        }
        return update
    }

    /// Checks a block's header and body rules, neither storing nor connecting it: the first
    /// step of `store`, taken alone so that a miner can move onto a block that extends the tip
    /// (`makeTemplate(extending:)`) before it is stored and connected. Storing a full block
    /// takes a busy node 100-250 ms with its fsync and connecting it 60-300 ms more, and a
    /// miner waiting for them is idle; mining on a block not yet on disk breaks no promise, as
    /// a child the miner finds is stored after it, by the same owner. `store` does not check
    /// the block again. A block that fails is marked invalid by `store`, not here.
    public func checkBody(_ block: Block) throws(BlockError) {
        let hash = block.hash
        if let existing = tree.node(hash), existing.status == .invalid { throw .knownInvalid(hash) }
        try acceptHeader(block.header)
        try validator.checkBody(block, signatures: signatures)
        checkedBody = block
    }

    /// Checks a block's header and body rules (unless `checkBody` just passed it) and stores it
    /// (fsynced) without connecting it: the first half of `acceptBlock`. A node announces the
    /// block it mined between the two, so that other miners stop mining on its parent while it
    /// connects the block. Not `compressed`, the record holds the block at full size (see
    /// `BlockStorage.append`).
    @discardableResult
    public func store(_ block: Block, compressed: Bool = true) throws(BlockError) -> BlockNode {
        let hash = block.hash
        if let existing = tree.node(hash) {
            if existing.status == .invalid { throw .knownInvalid(hash) }
            if existing.hasData { return existing }
        }
        let node = try acceptHeader(block.header)
        if checkedBody != block {
            do {
                try validator.checkBody(block, signatures: signatures)
            } catch {
                if error.provesBlockInvalid { markInvalid(hash) }
                throw error
            }
        }
        checkedBody = nil
        do {
            try storage.append(block, height: node.height, cumulativeWork: node.cumulativeWork, compressed: compressed)
        } catch {
            throw .storage(error.description)
        }
        tree.update(hash, status: .stored, sequence: nextSequence)
        nextSequence += 1
        recentBlocks.insert(block, hash: hash)
        if isLinked(node.header.previous) { addCandidates(from: hash) }
        return tree.node(hash) ?? node
    }

    /// Whether the store could take a full block now (after it failed to store one).
    public func probeStorage() throws(ChainError) {
        do { try storage.probeWritable(bytes: parameters.maxBlockSize + 4_096) } catch { throw .storage(error.description) }
    }

    /// Admits a put to the mempool.
    public func submit(_ transaction: Transaction) throws(TransactionError) {
        try mempool.add(transaction, index: keyIndex, parameters: parameters, signatures: signatures)
    }

    /// A block to mine on the current tip: the mempool's oldest puts up to the size limit, and a
    /// timestamp of `now` or just after the median of the last 11 blocks, whichever is later.
    public func makeTemplate(now: UInt64? = nil) -> BlockTemplate {
        template(on: tree.tip, mempool.template(maxBytes: Self.room(parameters)), now: now)
    }

    /// A block to mine on `block`, a child of the tip that has passed its body checks and is
    /// not connected yet (see `checkBody`): the oldest waiting puts that `block` neither
    /// holds nor writes the key of, which connecting it cannot make invalid. Nil if `block`'s
    /// header is unknown, it is known to be invalid, or it is not a child of the tip (the
    /// mempool is the tip's: on any other block its puts may be spent or break a rule).
    public func makeTemplate(extending block: Block, now: UInt64? = nil) -> BlockTemplate? {
        guard let node = tree.node(block.hash), node.status != .invalid, node.header.previous == tree.tip.hash else { return nil }
        var ids = Set<Hash256>(minimumCapacity: block.transactions.count)
        var keys = Set<KeyBytes>(minimumCapacity: block.transactions.count)
        for transaction in block.transactions {
            ids.insert(transaction.id)
            keys.insert(KeyBytes(transaction.key))
        }
        return template(on: node, mempool.template(maxBytes: Self.room(parameters), skipping: ids, keys: keys), now: now)
    }

    private static func room(_ parameters: NetworkParameters) -> Int { parameters.maxBlockSize - BlockHeader.size - 4 }

    private func template(on parent: BlockNode, _ transactions: [Transaction], now: UInt64?) -> BlockTemplate {
        let timestamp = max(now ?? clock(), tree.medianTimePast(of: parent.hash) + 1)
        let target = validator.requiredTarget(after: parent)
        let header = BlockHeader(previous: parent.hash, merkleRoot: MerkleTree.root(transactions.map(\.id)),
                                 timestamp: timestamp, target: target.compact)
        return BlockTemplate(header: header, transactions: transactions, height: parent.height + 1, target: target)
    }

    /// Waits for the key index's database to record every update and flushes the store: call
    /// before a clean shutdown.
    public func close() throws(ChainError) {
        awaitKeyIndexWritten()
        guard keyIndex.heldInMemory == 0 || flusher == nil else {
            throw .storage("the key index's database did not record the last updates (see the log); they are replayed at the next start")
        }
        do {
            try storage.sync()
            try keyIndexDatabase?.checkpointLog()
        } catch {
            throw .storage(error.description)
        }
    }

    /// Returns once the key index's database has recorded every update handed to it (or
    /// failed to), and drops what it recorded from memory.
    public func awaitKeyIndexWritten() {
        guard let flusher else { return }
        flusher.drain()
        keyIndex.prune(through: flusher.written)
        prunedThrough = flusher.written
        keyIndexDatabase?.refreshLookups()
    }

    // MARK: - Restart

    /// Empties the key index's database, to build it again from the blocks.
    private func rebuildKeyIndex() throws(ChainError) {
        guard let database = keyIndexDatabase else { return }
        // The update count goes on from where it was: the writer's count of what it wrote too.
        let empty = KeyIndexState(tip: tree.genesis.hash, height: 0, sequence: keyIndex.sequence, keys: 0, puts: 0)
        do { try database.reset(to: empty) } catch { throw .storage(error.description) }
        keyIndex = KeyIndex(database: database, state: empty, genesis: tree.genesis.hash)
    }

    private func restore(_ entries: ArraySlice<BlockIndexEntry>) throws(ChainError) {
        for entry in entries {
            guard let parent = tree.node(entry.header.previous) else { continue }
            let status: BlockNode.Status = switch entry.status {
            case .stored: .stored
            case .valid: .valid
            case .invalid: .invalid
            }
            // Stored blocks passed the header rules, so their target is the required one.
            let node = BlockNode(hash: entry.hash, header: entry.header, height: parent.height + 1,
                                 cumulativeWork: parent.cumulativeWork + validator.requiredTarget(after: parent).work,
                                 status: parent.status == .invalid ? .invalid : status, sequence: nextSequence)
            nextSequence += 1
            tree.insert(node)
            if node.status != .invalid { candidates.insert(node.hash) }
        }
        // Start where the key index's database stands when it names a block we hold: blocks after
        // it are replayed, and if it lies on a branch that lost, activateBestChain undoes back to
        // the fork. A database at a block we do not hold (the blocks' tail was cut after a
        // crash) is built again from genesis.
        if keyIndex.tip != tree.genesis.hash || keyIndex.height != 0 {
            if let node = tree.node(keyIndex.tip), node.hasData, node.height == keyIndex.height {
                for step in tree.path(from: tree.genesis.hash, to: keyIndex.tip) { tree.pushActive(step.hash) }
            } else {
                logger.warning("the key index names a block this node does not hold; building it again from the blocks",
                               metadata: ["block": "\(keyIndex.tip.short)", "height": "\(keyIndex.height)"])
                try rebuildKeyIndex()
            }
        }
        blocksReplayedAtOpen = activateBestChain(mined: nil).connected.count
        logger.info("chain opened", metadata: [
            "height": "\(tree.tip.height)", "tip": "\(tree.tip.hash.short)", "keys": "\(keyIndex.keyCount)",
        ])
    }

    // MARK: - Fork choice

    /// Whether `hash` and all its ancestors have their bodies stored and none is invalid.
    private func isLinked(_ hash: Hash256) -> Bool {
        var cursor = tree.node(hash)
        while let node = cursor {
            if tree.isActive(node.hash) { return true }
            guard node.hasData else { return false }
            cursor = tree.node(node.header.previous)
        }
        return false
    }

    /// Makes `hash` a candidate tip, and its stored descendants that were waiting for it.
    private func addCandidates(from hash: Hash256) {
        var stack = [hash]
        while let next = stack.popLast() {
            guard let node = tree.node(next), node.hasData else { continue }
            candidates.insert(next)
            stack += tree.childrenOf(next)
        }
    }

    private func bestCandidate() -> BlockNode? {
        var best: BlockNode?
        for hash in candidates {
            guard let node = tree.node(hash), node.status != .invalid else { continue }
            if let current = best {
                if node.cumulativeWork > current.cumulativeWork
                    || (node.cumulativeWork == current.cumulativeWork && node.sequence < current.sequence) {
                    best = node
                }
            } else {
                best = node
            }
        }
        return best
    }

    /// Marks a block and all its descendants invalid, for good.
    private func markInvalid(_ hash: Hash256) {
        for bad in [hash] + tree.descendants(of: hash) {
            let hadData = tree.node(bad)?.hasData ?? false
            tree.update(bad, status: .invalid)
            candidates.remove(bad)
            if hadData {
                do { try storage.setStatus(.invalid, for: bad) } catch {
                    logger.error("could not record an invalid block", metadata: ["block": "\(bad.short)", "error": "\(error)"])
                }
            }
        }
    }

    /// Moves the best chain to the candidate with the most work, one fork at a time, until no
    /// candidate has more work than the tip. A block that breaks a rule on the way is marked
    /// invalid with its descendants, and the loop goes on from where the chain stands.
    @discardableResult
    private func activateBestChain(mined: Block?) -> ChainUpdate {
        var update = ChainUpdate()
        var returned: [[Transaction]] = []
        var confirmedIDs = Set<Hash256>()
        var writtenKeys = Set<KeyBytes>()
        var steps: [KeyIndexStep] = []
        keyIndex.beginUpdate()
        activating: while let best = bestCandidate(), best.cumulativeWork > tree.tip.cumulativeWork {
            guard let fork = tree.forkPoint(tree.tip.hash, best.hash) else {
                candidates.remove(best.hash)
                continue
            }
            guard disconnect(downTo: fork, update: &update, returned: &returned, steps: &steps) else { break }
            for node in tree.path(from: fork.hash, to: best.hash) {
                let block: Block
                do {
                    if let mined, mined.hash == node.hash { block = mined } else { block = try self.block(node.hash) }
                } catch {
                    logger.error("stored block unreadable; forgetting its body", metadata: ["block": "\(node.hash.short)", "error": "\(error)"])
                    tree.update(node.hash, status: .headerOnly)
                    for lost in [node.hash] + tree.descendants(of: node.hash) { candidates.remove(lost) }
                    break
                }
                do {
                    try keyIndex.apply(block, hash: node.hash, height: node.height)
                } catch {
                    if case .storage = error {
                        // Says nothing about the block: the chain stays where it is.
                        logger.error("the key index could not be read to connect a block", metadata: ["block": "\(node.hash.short)", "error": "\(error)"])
                        break activating
                    }
                    logger.warning("block breaks a rule; marking it invalid", metadata: ["block": "\(node.hash.short)", "error": "\(error)"])
                    markInvalid(node.hash)
                    update.invalidated.append(InvalidBlock(hash: node.hash, error: error))
                    break
                }
                if flusher != nil {
                    steps.append(.apply(block, hash: node.hash, height: node.height))
                    // A long replay (a sync, a rebuild) goes to the database in parts, and
                    // waits for it when memory holds too much.
                    if steps.count >= Self.stepsPerUpdate { handOver(&steps) }
                }
                tree.pushActive(node.hash)
                candidates.remove(node.hash)
                if node.status != .valid {
                    tree.update(node.hash, status: .valid)
                    do { try storage.setStatus(.valid, for: node.hash) } catch {
                        logger.error("could not record a valid block", metadata: ["block": "\(node.hash.short)", "error": "\(error)"])
                    }
                }
                update.connected.append(node.hash)
                for transaction in block.transactions {
                    confirmedIDs.insert(transaction.id)
                    writtenKeys.insert(KeyBytes(transaction.key))
                }
            }
        }
        let tipWork = tree.tip.cumulativeWork
        candidates = candidates.filter { (tree.node($0)?.cumulativeWork ?? .zero) >= tipWork }
        update.tip = tree.tip
        update.confirmedTransactions = confirmedIDs
        if !update.disconnected.isEmpty {
            update.evicted = rebuildMempool(returned: returned.reversed().flatMap { $0 })
        } else {
            // Only the keys the new blocks wrote can have changed for a waiting put, whether
            // the blocks' puts were waiting here or not: rebuilding the whole mempool for a
            // block that holds puts this node has not seen yet (routine while puts are still
            // being relayed) cost hundreds of milliseconds a block during an import.
            update.evicted = mempool.confirm(confirmedIDs, keys: writtenKeys, index: keyIndex)
        }
        handOver(&steps)
        return update
    }

    /// At most this many blocks go to the key index's database in one update.
    static let stepsPerUpdate = 100

    /// Hands the update's steps to the key index's writer and starts the next update; drops
    /// what the writer has recorded meanwhile, and waits for it when memory holds too much.
    private func handOver(_ steps: inout [KeyIndexStep]) {
        guard let flusher else { return }
        if !steps.isEmpty {
            flusher.write(steps, sequence: keyIndex.sequence)
            steps = []
            keyIndex.beginUpdate()
        }
        if keyIndex.heldInMemory > maxHeldInMemory { flusher.drain() }
        let written = flusher.written
        if written != prunedThrough {
            keyIndex.prune(through: written)
            prunedThrough = written
        }
        // The owner's lookups then see what the writer recorded (and the log can be
        // checkpointed past their old snapshot).
        keyIndexDatabase?.refreshLookups()
    }

    /// Undoes active blocks down to `fork`. False if a block could not be read back, in which
    /// case the chain stays where it is.
    private func disconnect(downTo fork: BlockNode, update: inout ChainUpdate, returned: inout [[Transaction]],
                            steps: inout [KeyIndexStep]) -> Bool {
        while tree.tip.hash != fork.hash {
            let tip = tree.tip
            let block: Block
            do { block = try storage.block(tip.hash) } catch {
                logger.error("cannot read a block to disconnect it; staying on the current chain",
                             metadata: ["block": "\(tip.hash.short)", "error": "\(error)"])
                return false
            }
            do {
                try keyIndex.undo(block, parent: tip.header.previous)
            } catch {
                logger.error("the key index could not be read to disconnect a block; staying on the current chain",
                             metadata: ["block": "\(tip.hash.short)", "error": "\(error)"])
                return false
            }
            if flusher != nil { steps.append(.undo(block, height: tip.height)) }
            tree.popActive()
            candidates.insert(tip.hash)
            update.disconnected.append(tip.hash)
            update.unconfirmedTransactions += block.transactions.map(\.id)
            returned.append(block.transactions)
        }
        return true
    }

    /// Re-admits, in order, the puts of disconnected blocks and then the old mempool against the
    /// new best chain. Puts now confirmed leave quietly; puts that break a rule are evicted.
    private func rebuildMempool(returned: [Transaction]) -> [EvictedTransaction] {
        var evicted: [EvictedTransaction] = []
        for transaction in returned + mempool.drain() {
            do {
                try submit(transaction)
            } catch {
                switch error {
                case .alreadyConfirmed, .duplicate: continue
                default: evicted.append(EvictedTransaction(transaction: transaction, reason: error))
                }
            }
        }
        return evicted
    }
}
