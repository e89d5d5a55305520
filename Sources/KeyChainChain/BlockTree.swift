import KeyChainCore

/// Every header the node knows, linked into a tree rooted at genesis, and the active (best)
/// chain through it. Pure bookkeeping: no validation, no I/O.
public struct BlockTree: Sendable {
    private(set) var nodes: [Hash256: BlockNode] = [:]
    private(set) var children: [Hash256: [Hash256]] = [:]
    /// The best chain: `activeChain[h]` is the hash at height h.
    public private(set) var activeChain: [Hash256] = []
    /// The root; also the fallback that keeps `tip` total.
    public let genesis: BlockNode

    /// A tree holding only the genesis block, which is also the active chain.
    init(genesis: BlockNode) {
        self.genesis = genesis
        nodes[genesis.hash] = genesis
        activeChain = [genesis.hash]
    }

    /// The node for `hash`, if known.
    public func node(_ hash: Hash256) -> BlockNode? { nodes[hash] }

    /// The tip of the active chain.
    public var tip: BlockNode { activeChain.last.flatMap { nodes[$0] } ?? genesis }

    /// The tip's hash, without a lookup.
    public var tipHash: Hash256 { activeChain.last ?? genesis.hash }

    /// The tip's height, without a lookup.
    public var height: UInt32 { UInt32(max(activeChain.count, 1) - 1) }

    /// How many headers are known.
    public var count: Int { nodes.count }

    /// Whether `hash` is on the active chain.
    public func isActive(_ hash: Hash256) -> Bool {
        guard let node = nodes[hash], Int(node.height) < activeChain.count else { return false }
        return activeChain[Int(node.height)] == hash
    }

    /// The active chain's node at `height`.
    public func activeNode(at height: UInt32) -> BlockNode? {
        guard Int(height) < activeChain.count else { return nil }
        return nodes[activeChain[Int(height)]]
    }

    /// The children of `hash`.
    public func childrenOf(_ hash: Hash256) -> [Hash256] { children[hash] ?? [] }

    /// Adds a node whose parent is already in the tree (or a genesis).
    mutating func insert(_ node: BlockNode) {
        nodes[node.hash] = node
        if node.header.previous != .zero { children[node.header.previous, default: []].append(node.hash) }
    }

    /// Changes a node's status and, when the body arrives, its sequence.
    mutating func update(_ hash: Hash256, status: BlockNode.Status, sequence: UInt64? = nil) {
        nodes[hash]?.status = status
        if let sequence { nodes[hash]?.sequence = sequence }
    }

    /// Extends the active chain by a child of its tip.
    mutating func pushActive(_ hash: Hash256) { activeChain.append(hash) }

    /// Removes the active tip (never genesis).
    mutating func popActive() {
        if activeChain.count > 1 { activeChain.removeLast() }
    }

    /// The ancestor of `hash` at `height` (the node itself at its own height).
    public func ancestor(of hash: Hash256, atHeight height: UInt32) -> BlockNode? {
        guard var node = nodes[hash], height <= node.height else { return nil }
        if isActive(hash) { return activeNode(at: height) }
        while node.height > height {
            if isActive(node.hash) { return activeNode(at: height) }
            guard let parent = nodes[node.header.previous] else { return nil }
            node = parent
        }
        return node
    }

    /// The last common block of the chains ending at `a` and `b`.
    public func forkPoint(_ a: Hash256, _ b: Hash256) -> BlockNode? {
        guard var left = nodes[a], var right = nodes[b] else { return nil }
        while left.height > right.height { guard let p = nodes[left.header.previous] else { return nil }; left = p }
        while right.height > left.height { guard let p = nodes[right.header.previous] else { return nil }; right = p }
        while left.hash != right.hash {
            guard let l = nodes[left.header.previous], let r = nodes[right.header.previous] else { return nil }
            left = l
            right = r
        }
        return left
    }

    /// The blocks after `ancestor` up to and including `descendant`, oldest first.
    public func path(from ancestor: Hash256, to descendant: Hash256) -> [BlockNode] {
        var path: [BlockNode] = []
        var cursor = nodes[descendant]
        while let node = cursor, node.hash != ancestor {
            path.append(node)
            cursor = nodes[node.header.previous]
        }
        return path.reversed()
    }

    /// Median of the timestamps of `hash` and up to 10 of its ancestors (11 in all).
    public func medianTimePast(of hash: Hash256) -> UInt64 {
        var times: [UInt64] = []
        var cursor = nodes[hash]
        while let node = cursor, times.count < NetworkParameters.medianTimeSpan {
            times.append(node.header.timestamp)
            cursor = nodes[node.header.previous]
        }
        times.sort()
        return times.isEmpty ? 0 : times[times.count / 2]
    }

    /// Every descendant of `hash`, not including it.
    public func descendants(of hash: Hash256) -> [Hash256] {
        var out: [Hash256] = []
        var stack = children[hash] ?? []
        while let next = stack.popLast() {
            out.append(next)
            stack += children[next] ?? []
        }
        return out
    }

    /// A block locator for the active chain: the last 10 hashes one by one, then exponentially
    /// spaced back to genesis (at most 101 entries), so a peer can find the fork point.
    public func locator() -> [Hash256] {
        var hashes: [Hash256] = []
        var height = activeChain.count - 1
        var step = 1
        while height > 0 && hashes.count < 100 {
            hashes.append(activeChain[height])
            if hashes.count >= 10 { step *= 2 }
            height -= step
        }
        hashes.append(activeChain[0])
        return hashes
    }
}
