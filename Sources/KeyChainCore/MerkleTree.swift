/// The merkle root of a block's txids, and inclusion proofs against it.
///
/// Pairs are hashed as SHA-256d(0x80 | left | right). The 0x80 prefix keeps an inner node from
/// ever equalling a txid (no transaction encoding starts with 0x80), and a node without a
/// partner moves up unchanged rather than being paired with itself, so no two different lists
/// of txids share a root. The root of no transactions is all zeros.
public enum MerkleTree {
    static let innerPrefix: UInt8 = 0x80

    /// The root over `leaves` in order.
    public static func root(_ leaves: [Hash256]) -> Hash256 {
        guard !leaves.isEmpty else { return .zero }
        var level = leaves
        while level.count > 1 {
            var next: [Hash256] = []
            next.reserveCapacity((level.count + 1) / 2)
            var index = 0
            while index + 1 < level.count {
                next.append(parent(level[index], level[index + 1]))
                index += 2
            }
            if index < level.count { next.append(level[index]) }
            level = next
        }
        return level[0]
    }

    /// The hash of two sibling nodes.
    public static func parent(_ left: Hash256, _ right: Hash256) -> Hash256 {
        // On the stack: a block's root hashes one of these per transaction.
        withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { buffer in
            buffer[0] = innerPrefix
            guard let base = buffer.baseAddress else { return .zero }
            left.raw.write(to: base + 1)
            right.raw.write(to: base + 33)
            return Hash256(sha256d: UnsafeRawBufferPointer(buffer))
        }
    }

    /// One step of an inclusion proof: a sibling hash and which side it is on.
    public struct ProofStep: Hashable, Sendable {
        /// The sibling's hash.
        public var sibling: Hash256
        /// True when the sibling is the left node of the pair.
        public var siblingIsLeft: Bool
    }

    /// The path from leaf `index` to the root, or nil if the index is out of range.
    public static func proof(for index: Int, in leaves: [Hash256]) -> [ProofStep]? {
        guard leaves.indices.contains(index) else { return nil }
        var steps: [ProofStep] = []
        var level = leaves
        var position = index
        while level.count > 1 {
            let sibling = position ^ 1
            if sibling < level.count {
                steps.append(ProofStep(sibling: level[sibling], siblingIsLeft: sibling < position))
            }
            var next: [Hash256] = []
            var pair = 0
            while pair + 1 < level.count {
                next.append(parent(level[pair], level[pair + 1]))
                pair += 2
            }
            if pair < level.count { next.append(level[pair]) }
            level = next
            position /= 2
        }
        return steps
    }

    /// Whether `proof` leads from `leaf` to `root`.
    public static func verify(leaf: Hash256, proof: [ProofStep], root: Hash256) -> Bool {
        var node = leaf
        for step in proof {
            node = step.siblingIsLeft ? parent(step.sibling, node) : parent(node, step.sibling)
        }
        return node == root
    }
}
