import KeyChainCore

/// The consensus rules that need no key index: on a header given its ancestors, and on a body
/// given its header. Pure functions of their inputs; `now` is passed in.
public struct BlockValidator: Sendable {
    /// The network whose rules apply.
    public let parameters: NetworkParameters
    private let fixedTarget: Target
    private let schedule: ASERTSchedule?

    /// A validator for one network.
    public init(parameters: NetworkParameters) {
        self.parameters = parameters
        self.fixedTarget = parameters.target
        self.schedule = parameters.schedule
    }

    /// The target a child of `parent` must carry: the genesis target on a fixed network, the
    /// ASERT schedule's from the parent's height and timestamp on a retargeting one.
    public func requiredTarget(after parent: BlockNode) -> Target {
        guard let schedule else { return fixedTarget }
        return schedule.target(after: UInt64(parent.height), time: Int64(clamping: parent.header.timestamp))
    }

    /// Checks a header against its parent's chain: version, the target the network asks of a
    /// child of `parent`, proof of work, the median-time rule and the future-time limit.
    /// Returns the target, whose work the header adds to its chain.
    @discardableResult
    public func checkHeader(_ header: BlockHeader, hash: Hash256, parent: BlockNode, medianTimePast: UInt64, now: UInt64) throws(BlockError) -> Target {
        guard header.version == BlockHeader.currentVersion else { throw .badVersion(header.version) }
        let target = requiredTarget(after: parent)
        guard header.target == target.compact else {
            throw .wrongTarget(expected: target.compact, actual: header.target)
        }
        guard target.isMet(by: hash) else { throw .insufficientProofOfWork }
        guard header.timestamp > medianTimePast else {
            throw .timestampNotAfterMedian(timestamp: header.timestamp, median: medianTimePast)
        }
        let limit = now &+ NetworkParameters.maxFutureBlockIntervals * UInt64(parameters.blockIntervalMilliseconds)
        guard header.timestamp <= limit else { throw .timestampTooFarAhead(timestamp: header.timestamp, limit: limit) }
        return target
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
