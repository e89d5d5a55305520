/// The genesis parameters of a network: fixed at creation, hashed into the genesis block, so
/// that the genesis hash names the network and nodes of different networks never mix.
public struct NetworkParameters: Hashable, Sendable {
    /// A human name, 1-64 bytes of UTF-8.
    public var name: String
    /// Expected hashes of the genesis target: 2^difficultyBits. Every block's on a fixed
    /// network; where a retargeting network starts.
    public var difficultyBits: Int
    /// The nominal time between blocks, in milliseconds; the timestamp rule counts in these.
    public var blockIntervalMilliseconds: UInt32
    /// The largest encoded block.
    public var maxBlockSize: Int
    /// The largest value a put may carry.
    public var maxValueLength: Int
    /// When the network was created, in milliseconds since the Unix epoch: the genesis timestamp.
    public var createdAt: UInt64
    /// Whether and how the target follows the hash rate.
    public var retargeting: Retargeting

    /// How many nominal block intervals a timestamp may run ahead of a node's clock. Six, not
    /// Bitcoin's two hours: under ASERT a timestamp ahead of time eases the next target, so the
    /// limit bounds how far one block can drag it (2^(6/30), 15%, at the default half-life).
    public static let maxFutureBlockIntervals: UInt64 = 6
    /// How many previous timestamps the median-time rule looks at.
    public static let medianTimeSpan = 11

    /// Parameters checked against the format's limits.
    public init(
        name: String, difficultyBits: Int, blockIntervalMilliseconds: UInt32 = 1_000,
        maxBlockSize: Int = 3_000_000, maxValueLength: Int = 64 * 1024, createdAt: UInt64,
        retargeting: Retargeting = .fixed
    ) throws(NetworkParametersError) {
        guard (1...64).contains(name.utf8.count) else { throw .invalid("name must be 1-64 bytes") }
        guard (1...Target.maxDifficultyBits).contains(difficultyBits) else {
            throw .invalid("difficulty must be 1-\(Target.maxDifficultyBits) bits, not \(difficultyBits)")
        }
        guard blockIntervalMilliseconds > 0 else { throw .invalid("block interval must be positive") }
        guard (1_024...Block.maxEncodedSize).contains(maxBlockSize) else {
            throw .invalid("block size limit must be 1024-\(Block.maxEncodedSize) bytes, not \(maxBlockSize)")
        }
        guard (0...Transaction.maxValueLengthCap).contains(maxValueLength) else {
            throw .invalid("value limit must be at most \(Transaction.maxValueLengthCap) bytes, not \(maxValueLength)")
        }
        if case let .asert(halfLife) = retargeting, !(1...Retargeting.maxHalfLifeIntervals).contains(halfLife) {
            throw .invalid("half-life must be 1-\(Retargeting.maxHalfLifeIntervals) intervals, not \(halfLife)")
        }
        guard createdAt <= UInt64(Int64.max) else { throw .invalid("created at \(createdAt) ms is past the year 292 million") }
        self.name = name
        self.difficultyBits = difficultyBits
        self.blockIntervalMilliseconds = blockIntervalMilliseconds
        self.maxBlockSize = maxBlockSize
        self.maxValueLength = maxValueLength
        self.createdAt = createdAt
        self.retargeting = retargeting
    }

    /// The genesis target: every block's on a fixed network, the schedule's anchor on a
    /// retargeting one.
    public var target: Target {
        // The initializer checked the range, so this cannot fail; keep a valid fallback anyway.
        (try? Target(difficultyBits: difficultyBits)) ?? Self.easiestTarget
    }

    /// The ASERT schedule of a retargeting network, anchored at genesis so that the first
    /// block carries the genesis target if it comes on time; nil on a fixed network.
    public var schedule: ASERTSchedule? {
        guard case let .asert(halfLife) = retargeting else { return nil }
        let interval = Int64(blockIntervalMilliseconds)
        // The initializer bounded every input, so the schedule's own checks pass.
        return try? ASERTSchedule(anchorHeight: 0, anchorParentTime: Int64(createdAt) - interval, anchorTarget: target,
                                  interval: interval, halfLife: interval * Int64(halfLife), easiest: Self.easiestTarget)
    }

    /// The target the child of a block at `height` with timestamp `timestamp` must carry.
    public func target(afterHeight height: UInt32, parentTimestamp timestamp: UInt64) -> Target {
        guard let schedule else { return target }
        return schedule.target(after: UInt64(height), time: Int64(clamping: timestamp))
    }

    /// The easiest target any network allows: 2^255, one hash in two meets it.
    public static let easiestTarget: Target = {
        guard let target = try? Target(compact: 0x2100_8000) else { preconditionFailure("2^255 is a valid target") }
        return target
    }()
}

/// Why genesis parameters were refused.
public enum NetworkParametersError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String)
    public var description: String {
        switch self { case let .invalid(reason): "invalid network parameters: \(reason)" }
    }
}
