import HashTreeCollections
import KeyChainCore
import KeyChainStore

/// Every key's versions on the best chain, in chain order, and every confirmed txid. Answers
/// `get`, `history` and prefix listings, and decides ownership, compare-and-set and replays
/// when a block is applied. Keys are compared as UTF-8 bytes, never as Swift strings, whose
/// equality folds canonically equivalent spellings together.
///
/// With a `KeyIndexDatabase` (a node's data directory), the history lives on disk and this
/// value holds only what the database does not hold yet: the keys and txids that chain updates
/// changed since the last update the database recorded (`KeyIndexFlusher` writes them behind
/// the chain, one transaction per update, and `prune` drops what it wrote). Memory grows with
/// the updates in flight, not with history. Without one (the simulator, tests), everything is
/// held here, as a database would hold it.
///
/// A value: the chain's owner publishes a copy to readers after each change. The maps are
/// persistent (hash tries), so a copy costs O(1) and a later change copies only its path.
/// A reader that must go to the database and finds it already past the copy's update (the
/// flusher wrote a later one meanwhile) answers from the database alone: the answer is then
/// a later state of the best chain, never an earlier or a mixed one.
public struct KeyIndex: Sendable {
    private var changes: TreeDictionary<KeyBytes, KeyChange> = [:]
    private var txids: TreeDictionary<Hash256, TxidChange> = [:]
    private let database: KeyIndexDatabase?
    /// Names the current key set (changes when a key gains its first version or loses its
    /// last); only the in-memory listing uses it.
    private var keySetStamp = KeyListing.nextStamp()
    private let listing = KeyListing()
    /// The block the index reflects.
    public private(set) var tip: Hash256
    /// That block's height.
    public private(set) var height: UInt32
    /// The chain updates made so far: what the database is compared with.
    public private(set) var sequence: UInt64
    /// How many keys have at least one version.
    public private(set) var keyCount: Int
    /// How many puts are confirmed.
    public private(set) var transactionCount: Int

    /// An empty index at the genesis block, held in memory.
    public init(genesis: Hash256) {
        database = nil
        tip = genesis
        height = 0
        sequence = 0
        keyCount = 0
        transactionCount = 0
    }

    /// The index `database` holds, as its `state` says (or an empty one at `genesis`).
    public init(database: KeyIndexDatabase, state: KeyIndexState?, genesis: Hash256) {
        self.database = database
        tip = state?.tip ?? genesis
        height = state?.height ?? 0
        sequence = state?.sequence ?? 0
        keyCount = state?.keys ?? 0
        transactionCount = state?.puts ?? 0
    }

    /// Whether the index keeps its history on disk.
    public var isOnDisk: Bool { database != nil }

    /// How many keys and txids are held in memory, waiting for the database or for good.
    public var heldInMemory: Int { changes.count + txids.count }

    // MARK: - Reading

    /// The versions of `key`, oldest first.
    public func versions(of key: String) throws(StoreError) -> [KeyVersion] {
        let bytes = KeyBytes(key)
        let change = changes[bytes]
        guard let database, change.map({ $0.stable > 0 }) ?? true else { return change?.tail ?? [] }
        // Not held here: the database's history is the answer, later or not.
        guard let change else { return try database.read { reader throws(StoreError) in try reader.history(key) } }
        return try database.read { reader throws(StoreError) in
            let later = try isLater(reader)
            guard let record = try reader.key(key) else { return later ? [] : change.tail }
            guard !later else { return try reader.versions(of: key, from: 0, count: record.versions) }
            return try reader.versions(of: key, from: 0, count: change.stable) + change.tail
        }
    }

    /// The latest version of `key`, and its number in the key's history (0 for the first).
    public func latest(_ key: String) throws(StoreError) -> (number: Int, version: KeyVersion)? {
        let bytes = KeyBytes(key)
        let change = changes[bytes]
        if let change, let last = change.tail.last { return (change.count - 1, last) }
        guard let database, change.map({ $0.stable > 0 }) ?? true else { return nil }
        // Not held here: the database's latest is the answer, later or not.
        guard let change else { return try database.read { reader throws(StoreError) in try reader.latest(key) } }
        return try database.read { reader throws(StoreError) in
            let later = try isLater(reader)
            guard let record = try reader.key(key) else { return nil }
            let count = later ? record.versions : change.stable
            return try reader.versions(of: key, from: count - 1, count: 1).first.map { (count - 1, $0) }
        }
    }

    /// The author of the key's first version.
    public func owner(of key: String) throws(StoreError) -> PublicKey? {
        try record(KeyBytes(key))?.owner
    }

    /// The height and block of a confirmed put.
    public func confirmation(of txid: Hash256) throws(StoreError) -> (height: UInt32, block: Hash256)? {
        if let change = txids[txid] { return change.confirmation }
        guard let database else { return nil }
        return try database.read { reader throws(StoreError) in try reader.confirmation(of: txid) }
    }

    /// Whether `txid` is on the best chain, for the chain's owner: one statement on its own
    /// connection (the database is never behind what the owner holds in memory).
    public func isConfirmed(_ txid: Hash256) throws(StoreError) -> Bool {
        if let change = txids[txid] { return change.confirmation != nil }
        guard let database else { return false }
        return try database.lookup { reader throws(StoreError) in try reader.confirmation(of: txid) != nil }
    }

    /// Checks the rules a put must pass against this state with `pending` earlier puts on the
    /// same key still waiting (their count, and the first one's author).
    public func check(_ transaction: Transaction, pending: (count: Int, firstAuthor: PublicKey?) = (0, nil)) throws(TransactionError) {
        let existing: (count: Int, owner: PublicKey?)?
        do { existing = try record(KeyBytes(transaction.key)) } catch { throw .indexUnreadable(error.description) }
        try check(transaction, existing: existing, pending: pending)
    }

    /// The rules of `check`, with the key's count and owner already looked up.
    private func check(_ transaction: Transaction, existing: (count: Int, owner: PublicKey?)?,
                       pending: (count: Int, firstAuthor: PublicKey?) = (0, nil)) throws(TransactionError) {
        let confirmed: Bool
        do { confirmed = try isConfirmed(transaction.id) } catch { throw .indexUnreadable(error.description) }
        guard !confirmed else { throw .alreadyConfirmed(transaction.id) }
        if let owner = existing?.owner ?? pending.firstAuthor, owner != transaction.author {
            throw .notOwner(key: transaction.key, owner: owner)
        }
        if let expected = transaction.expectedVersion {
            let actual = UInt64((existing?.count ?? 0) + pending.count)
            guard expected == actual else { throw .conflict(key: transaction.key, expected: expected, actual: actual) }
        }
    }

    /// Up to `limit` keys that start with `prefix`, in UTF-8 byte order, strictly after `after`
    /// when given (the last key of the previous page).
    public func keys(prefix: String, after: String? = nil, limit: Int) throws(StoreError) -> [String] {
        let prefixBytes = KeyBytes(prefix)
        var start = prefixBytes
        var skipStart = false
        if let after, case let afterBytes = KeyBytes(after), !afterBytes.precedes(prefixBytes) {
            start = afterBytes
            skipStart = true
        }
        guard limit > 0 else { return [] }
        guard let database else {
            let sorted = listing.sorted(stamp: keySetStamp) { Array(changes.keys) }
            return Self.page(sorted, from: start, skipping: skipStart, prefix: prefixBytes, limit: limit).map(\.string)
        }
        // The keys changed in memory, sorted (few: an update or two's worth), merged with the
        // database's, read in its own order; a key emptied in memory is left out.
        let changed = changes.filter { $0.key.hasPrefix(prefixBytes) && (start.precedes($0.key) || (!skipStart && start == $0.key)) }
            .map { (key: $0.key, present: $0.value.count > 0) }.sorted { $0.key.precedes($1.key) }
        return try database.read { reader throws(StoreError) in
            let later = try isLater(reader)
            let memory = later ? [] : changed
            var out: [String] = []
            var (disk, diskDone, d, m) = ([KeyBytes](), false, 0, 0)
            var (cursor, includeCursor) = (start, !skipStart)
            while out.count < limit {
                if d == disk.count && !diskDone {
                    let batch = try reader.keys(from: cursor.string, limit: 256).map { KeyBytes($0) }
                    diskDone = batch.count < 256
                    disk = batch.filter { includeCursor || $0 != cursor }
                    (cursor, includeCursor) = (batch.last ?? cursor, false)
                    // Keys with the prefix are contiguous, and `start` is not before it.
                    if let end = disk.firstIndex(where: { !$0.hasPrefix(prefixBytes) }) {
                        disk.removeSubrange(end...)
                        diskDone = true
                    }
                    d = 0
                    continue
                }
                let nextDisk = d < disk.count ? disk[d] : nil
                if m < memory.count, nextDisk.map({ !$0.precedes(memory[m].key) }) ?? true {
                    if nextDisk == memory[m].key { d += 1 }
                    if memory[m].present { out.append(memory[m].key.string) }
                    m += 1
                } else if let nextDisk {
                    d += 1
                    if later || changes[nextDisk] == nil { out.append(nextDisk.string) }
                } else {
                    break
                }
            }
            return out
        }
    }

    /// The count and owner of a key with versions, or nil.
    private func record(_ key: KeyBytes) throws(StoreError) -> (count: Int, owner: PublicKey?)? {
        if let change = changes[key] { return change.count > 0 ? (change.count, change.owner) : nil }
        guard let database else { return nil }
        return try database.lookup { reader throws(StoreError) in try reader.key(key.string).map { ($0.versions, $0.owner) } }
    }

    /// Whether the database already holds a later update than this copy of the index.
    private func isLater(_ reader: KeyIndexReader) throws(StoreError) -> Bool {
        try reader.sequence() > sequence
    }

    private static func page(_ sorted: [KeyBytes], from start: KeyBytes, skipping: Bool, prefix: KeyBytes, limit: Int) -> [KeyBytes] {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid].precedes(start) { low = mid + 1 } else { high = mid }
        }
        if skipping && low < sorted.count && sorted[low] == start { low += 1 }
        var out: [KeyBytes] = []
        while low < sorted.count && out.count < limit {
            // Keys with a prefix are contiguous, and `start` is not before the prefix.
            guard sorted[low].hasPrefix(prefix) else { break }
            out.append(sorted[low])
            low += 1
        }
        return out
    }

    // MARK: - Changing (the chain's owner)

    /// Starts the next chain update: the changes that follow are written to the database as one.
    mutating func beginUpdate() {
        sequence += 1
    }

    /// Applies a block on top of `tip`: all of its puts or, if one breaks a rule (or the
    /// database cannot be read), none.
    mutating func apply(_ block: Block, hash: Hash256, height: UInt32) throws(BlockError) {
        let before = self  // a copy costs O(1); a refused block leaves no trace
        do throws(BlockError) {
            for transaction in block.transactions {
                // The key's change is looked up once, for the rules and for the change itself.
                let key = KeyBytes(transaction.key)
                var change: KeyChange
                do { change = try loadChange(key) } catch { throw BlockError.storage(error.description) }
                do {
                    try check(transaction, existing: change.count > 0 ? (change.count, change.owner) : nil)
                } catch {
                    if case let .indexUnreadable(reason) = error { throw BlockError.storage(reason) }
                    throw BlockError.badTransaction(transaction.id, error)
                }
                if change.count == 0 {
                    change.owner = transaction.author
                    keyCount += 1
                    keySetStamp = KeyListing.nextStamp()
                }
                change.tail.append(KeyVersion(value: transaction.value, height: height, blockHash: hash, txid: transaction.id,
                                              author: transaction.author))
                change.sequence = sequence
                changes[key] = change
                txids[transaction.id] = TxidChange(confirmation: (height, hash), sequence: sequence)
                transactionCount += 1
            }
        } catch {
            self = before
            throw error
        }
        tip = hash
        self.height = height
    }

    /// Undoes the tip block, making `parent` (at `height - 1`) the tip again.
    mutating func undo(_ block: Block, parent: Hash256) throws(StoreError) {
        let before = self
        do throws(StoreError) {
            for transaction in block.transactions.reversed() { try remove(transaction) }
        } catch {
            self = before
            throw error
        }
        tip = parent
        height = height > 0 ? height - 1 : 0
    }

    private mutating func remove(_ transaction: Transaction) throws(StoreError) {
        let key = KeyBytes(transaction.key)
        var change = try loadChange(key)
        if let last = change.tail.last {
            guard last.txid == transaction.id else { return }
            change.tail.removeLast()
        } else if change.stable > 0 {
            change.stable -= 1
        } else {
            return
        }
        change.sequence = sequence
        if change.count == 0 {
            change.owner = nil
            keyCount -= 1
            keySetStamp = KeyListing.nextStamp()
        }
        changes[key] = database == nil && change.count == 0 ? nil : change
        txids[transaction.id] = database == nil ? nil : TxidChange(confirmation: nil, sequence: sequence)
        transactionCount -= 1
    }

    /// The key's change in memory, or one that starts where the database stands.
    private func loadChange(_ key: KeyBytes) throws(StoreError) -> KeyChange {
        if let change = changes[key] { return change }
        let stored = try record(key)
        return KeyChange(stable: stored?.count ?? 0, owner: stored?.owner, tail: [], sequence: sequence)
    }

    /// Drops what the database holds now that it has recorded every update up to `written`.
    mutating func prune(through written: UInt64) {
        guard database != nil, !changes.isEmpty || !txids.isEmpty else { return }
        changes = changes.filter { $0.value.sequence > written }
        txids = txids.filter { $0.value.sequence > written }
    }
}
