import HashTreeCollections
import KeyChainCore

/// Every key's versions on the best chain, in chain order, and every confirmed txid. Answers
/// `get`, `history` and prefix listings from memory, and decides ownership, compare-and-set and
/// replays when a block is applied. Keys are compared as UTF-8 bytes, never as Swift strings,
/// whose equality folds canonically equivalent spellings together.
///
/// A value: the chain's owner publishes a copy to readers after each change. The maps are
/// persistent (hash tries), so a copy costs O(1) and a later change copies only its path.
public struct KeyIndex: Sendable {
    private var versionsByKey: TreeDictionary<KeyBytes, [KeyVersion]> = [:]
    private var confirmed: TreeDictionary<Hash256, KeyBytes> = [:]
    /// Names the current key set (changes when a key gains its first version or loses its last).
    private var keySetStamp = KeyListing.nextStamp()
    private let listing = KeyListing()
    /// The block the index reflects.
    public private(set) var tip: Hash256
    /// That block's height.
    public private(set) var height: UInt32

    /// An empty index at the genesis block.
    public init(genesis: Hash256) {
        tip = genesis
        height = 0
    }

    /// How many keys have at least one version.
    public var keyCount: Int { versionsByKey.count }
    /// How many puts are confirmed.
    public var transactionCount: Int { confirmed.count }

    /// The versions of `key`, oldest first.
    public func versions(of key: String) -> [KeyVersion] { versionsByKey[KeyBytes(key)] ?? [] }

    /// The latest version of `key`.
    public func latest(_ key: String) -> KeyVersion? { versionsByKey[KeyBytes(key)]?.last }

    /// The author of the key's first version.
    public func owner(of key: String) -> PublicKey? { versionsByKey[KeyBytes(key)]?.first?.author }

    /// Whether `txid` is on the best chain.
    public func contains(_ txid: Hash256) -> Bool { confirmed[txid] != nil }

    /// The version a confirmed txid wrote.
    public func version(of txid: Hash256) -> (key: String, index: Int, version: KeyVersion)? {
        guard let key = confirmed[txid], let versions = versionsByKey[key],
              let index = versions.lastIndex(where: { $0.txid == txid }) else { return nil }
        return (key.string, index, versions[index])
    }

    /// Checks the rules a put must pass against this state with `pending` earlier puts on the
    /// same key still waiting (their count, and the first one's author).
    public func check(_ transaction: Transaction, pending: (count: Int, firstAuthor: PublicKey?) = (0, nil)) throws(TransactionError) {
        guard confirmed[transaction.id] == nil else { throw .alreadyConfirmed(transaction.id) }
        let existing = versionsByKey[KeyBytes(transaction.key)]
        if let owner = existing?.first?.author ?? pending.firstAuthor, owner != transaction.author {
            throw .notOwner(key: transaction.key, owner: owner)
        }
        if let expected = transaction.expectedVersion {
            let actual = UInt64((existing?.count ?? 0) + pending.count)
            guard expected == actual else { throw .conflict(key: transaction.key, expected: expected, actual: actual) }
        }
    }

    /// Applies a block on top of `tip`: all of its puts or, if one breaks a rule, none.
    mutating func apply(_ block: Block, hash: Hash256, height: UInt32) throws(BlockError) {
        var applied = 0
        for transaction in block.transactions {
            do {
                try check(transaction)
            } catch {
                for undone in block.transactions[..<applied].reversed() { remove(undone) }
                throw .badTransaction(transaction.id, error)
            }
            let key = KeyBytes(transaction.key)
            let version = KeyVersion(value: transaction.value, height: height, blockHash: hash, txid: transaction.id, author: transaction.author)
            if versionsByKey[key] == nil {
                versionsByKey[key] = [version]
                keySetStamp = KeyListing.nextStamp()
            } else {
                versionsByKey[key]?.append(version)
            }
            confirmed[transaction.id] = key
            applied += 1
        }
        tip = hash
        self.height = height
    }

    /// Undoes the tip block, making `parent` (at `height - 1`) the tip again.
    mutating func undo(_ block: Block, parent: Hash256) {
        for transaction in block.transactions.reversed() { remove(transaction) }
        tip = parent
        height = height > 0 ? height - 1 : 0
    }

    private mutating func remove(_ transaction: Transaction) {
        let key = KeyBytes(transaction.key)
        guard var versions = versionsByKey[key], versions.last?.txid == transaction.id else { return }
        versions.removeLast()
        if versions.isEmpty {
            versionsByKey[key] = nil
            keySetStamp = KeyListing.nextStamp()
        } else {
            versionsByKey[key] = versions
        }
        confirmed[transaction.id] = nil
    }

    /// Up to `limit` keys that start with `prefix`, in UTF-8 byte order, strictly after `after`
    /// when given (the last key of the previous page).
    public func keys(prefix: String, after: String? = nil, limit: Int) -> [String] {
        let sorted = listing.sorted(stamp: keySetStamp) { Array(versionsByKey.keys) }
        let prefixBytes = KeyBytes(prefix)
        var start = Self.lowerBound(prefixBytes, in: sorted)
        if let after, case let afterBytes = KeyBytes(after), !afterBytes.precedes(prefixBytes) {
            start = Self.lowerBound(afterBytes, in: sorted)
            if start < sorted.count && sorted[start] == afterBytes { start += 1 }
        }
        var out: [String] = []
        var index = start
        while index < sorted.count && out.count < max(limit, 0) {
            // Keys with a prefix are contiguous, and `start` is not before the prefix.
            guard sorted[index].hasPrefix(prefixBytes) else { break }
            out.append(sorted[index].string)
            index += 1
        }
        return out
    }

    private static func lowerBound(_ key: KeyBytes, in sorted: [KeyBytes]) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid].precedes(key) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    // MARK: - Checkpoint

    /// The index as bytes: `format u8 | tip 32 | height u32 | key count u32 | per key: key length
    /// u8 | key | version count u32 | per version: height u32 | block hash 32 | txid 32 |
    /// author 32 | value length u32 | value`.
    public var checkpoint: [UInt8] {
        var writer = ByteWriter(capacity: 64 + versionsByKey.count * 200)
        writer.write(UInt8(1))
        writer.write(tip)
        writer.write(height)
        writer.write(UInt32(versionsByKey.count))
        for (key, versions) in versionsByKey {
            writer.write(UInt8(truncatingIfNeeded: key.string.utf8.count))
            writer.write(bytes: key.string.utf8)
            writer.write(UInt32(versions.count))
            for version in versions {
                writer.write(version.height)
                writer.write(version.blockHash)
                writer.write(version.txid)
                writer.write(version.author.raw)
                writer.write(UInt32(version.value.count))
                writer.write(bytes: version.value)
            }
        }
        return writer.bytes
    }

    /// An index restored from a checkpoint.
    public init(checkpoint bytes: [UInt8]) throws(DecodingError) {
        var reader = ByteReader(bytes)
        guard try reader.readUInt8("checkpoint format") == 1 else {
            throw .invalidValue(field: "checkpoint format", reason: "unknown version")
        }
        tip = try reader.readHash("tip")
        height = try reader.readUInt32("height")
        let keyCount = Int(try reader.readUInt32("key count"))
        guard keyCount <= reader.remaining else { throw .oversized(field: "key count", length: keyCount, maximum: reader.remaining) }
        for _ in 0..<keyCount {
            let length = Int(try reader.readUInt8("key length"))
            guard let text = String(validating: try reader.readBytes(length, maximum: Transaction.maxKeyLength, "key"), as: UTF8.self) else {
                throw .invalidValue(field: "key", reason: "not valid UTF-8")
            }
            let key = KeyBytes(text)
            let count = Int(try reader.readUInt32("version count"))
            guard count > 0, count <= reader.remaining / 104 else {
                throw .invalidValue(field: "version count", reason: "\(count) versions cannot fit")
            }
            var versions: [KeyVersion] = []
            versions.reserveCapacity(count)
            for _ in 0..<count {
                let height = try reader.readUInt32("version height")
                let block = try reader.readHash("block hash")
                let txid = try reader.readHash("txid")
                let author = PublicKey(raw: try reader.readBytes32("author"))
                let valueLength = Int(try reader.readUInt32("value length"))
                let value = try reader.readBytes(valueLength, maximum: Transaction.maxValueLengthCap, "value")
                versions.append(KeyVersion(value: value, height: height, blockHash: block, txid: txid, author: author))
                confirmed[txid] = key
            }
            versionsByKey[key] = versions
        }
        try reader.expectEnd()
    }
}
