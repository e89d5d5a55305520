import KeyChainCore
import Synchronization

/// The last blocks this node stored, decoded, and each framed for the wire once: the one copy
/// that the chain's reads on the owner (a peer's `getdata`) and the transport's sends on every
/// peer's outbox share. Every peer asks for a new block as soon as it hears of it: reading a
/// full one back from disk (inflate, decode, 12,000 txids) took about 7 ms of the owner a
/// request during an import, and framing it 15-50 ms a peer. Bitcoin Core keeps its most recent
/// block, and its serialisation, in memory for the same reason. Safe from any thread.
public final class RecentBlocks: Sendable {
    /// One block and, once a sender asked for it, its frame.
    private final class Entry: Sendable {
        let hash: Hash256
        let block: Block
        /// Made under the entry's own lock: a second peer's outbox waits for the first's
        /// framing rather than framing the block again.
        let frame = Mutex<[UInt8]?>(nil)

        init(hash: Hash256, block: Block) {
            self.hash = hash
            self.block = block
        }
    }

    /// How many blocks are kept: the tip and its parent cover a block's propagation, and a
    /// full block with its frame holds about 10 MB.
    public let capacity: Int
    private let entries = Mutex<[Entry]>([])

    /// An empty cache of `capacity` blocks.
    public init(capacity: Int = 2) {
        self.capacity = max(1, capacity)
    }

    /// Keeps `block` (whose hash is `hash`), forgetting the oldest beyond the capacity.
    public func insert(_ block: Block, hash: Hash256) {
        let entry = Entry(hash: hash, block: block)
        entries.withLock { entries in
            guard !entries.contains(where: { $0.hash == hash }) else { return }
            entries.append(entry)
            if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        }
    }

    /// The block with `hash`, if it is one of the last stored.
    public func block(_ hash: Hash256) -> Block? {
        entry(hash)?.block
    }

    /// The frame of the block with `hash`, made by `framing` the first time it is asked for;
    /// nil if the block is not one of the last stored.
    public func frame(of hash: Hash256, framing: (Block) -> [UInt8]) -> [UInt8]? {
        guard let entry = entry(hash) else { return nil }
        return entry.frame.withLock { frame in
            if let frame { return frame }
            let made = framing(entry.block)
            frame = made
            return made
        }
    }

    /// Whether the block with `hash` is kept and framed already.
    public func isFramed(_ hash: Hash256) -> Bool {
        guard let entry = entry(hash) else { return false }
        return entry.frame.withLock { $0 != nil }
    }

    private func entry(_ hash: Hash256) -> Entry? {
        entries.withLock { entries in entries.last { $0.hash == hash } }
    }
}
