import KeyChainCore

/// The consensus rules that need no key index: on a header given its ancestors, and on a body
/// given its header. Pure functions of their inputs; `now` is passed in.
public struct BlockValidator: Sendable {
    /// The network whose rules apply.
    public let parameters: NetworkParameters
    private let target: Target

    /// A validator for one network.
    public init(parameters: NetworkParameters) {
        self.parameters = parameters
        self.target = parameters.target
    }

    /// Checks a header against its parent's chain: version, the network's target, proof of
    /// work, the median-time rule and the future-time limit.
    public func checkHeader(_ header: BlockHeader, hash: Hash256, medianTimePast: UInt64, now: UInt64) throws(BlockError) {
        guard header.version == BlockHeader.currentVersion else { throw .badVersion(header.version) }
        guard header.target == target.compact else {
            throw .wrongTarget(expected: target.compact, actual: header.target)
        }
        guard target.isMet(by: hash) else { throw .insufficientProofOfWork }
        guard header.timestamp > medianTimePast else {
            throw .timestampNotAfterMedian(timestamp: header.timestamp, median: medianTimePast)
        }
        let limit = now &+ NetworkParameters.maxFutureBlockIntervals * UInt64(parameters.blockIntervalMilliseconds)
        guard header.timestamp <= limit else { throw .timestampTooFarAhead(timestamp: header.timestamp, limit: limit) }
    }

    /// Checks a body against its header: size limit, value limits, no repeated txid, merkle
    /// root, and every signature (cached, in parallel).
    public func checkBody(_ block: Block, signatures: SignatureCache) throws(BlockError) {
        let size = block.encodedSize
        guard size <= parameters.maxBlockSize else { throw .tooLarge(size: size, maximum: parameters.maxBlockSize) }
        var seen = Set<Hash256>(minimumCapacity: block.transactions.count)
        for transaction in block.transactions {
            guard seen.insert(transaction.id).inserted else { throw .duplicateTransaction(transaction.id) }
            guard transaction.value.count <= parameters.maxValueLength else {
                throw .badTransaction(transaction.id, .valueTooLarge(size: transaction.value.count, maximum: parameters.maxValueLength))
            }
        }
        guard MerkleTree.root(block.transactions.map(\.id)) == block.header.merkleRoot else { throw .badMerkleRoot }
        if let bad = signatures.firstInvalid(in: block.transactions) {
            throw .badTransaction(block.transactions[bad].id, .badSignature)
        }
    }
}
