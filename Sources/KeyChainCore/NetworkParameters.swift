/// The genesis parameters of a network: fixed at creation, hashed into the genesis block, so
/// that the genesis hash names the network and nodes of different networks never mix.
public struct NetworkParameters: Hashable, Sendable {
    /// A human name, 1-64 bytes of UTF-8.
    public var name: String
    /// Expected hashes a block: 2^difficultyBits.
    public var difficultyBits: Int
    /// The nominal time between blocks, in milliseconds; the timestamp rule counts in these.
    public var blockIntervalMilliseconds: UInt32
    /// The largest encoded block.
    public var maxBlockSize: Int
    /// The largest value a put may carry.
    public var maxValueLength: Int
    /// When the network was created, in milliseconds since the Unix epoch: the genesis timestamp.
    public var createdAt: UInt64

    /// How many nominal block intervals a timestamp may run ahead of a node's clock.
    public static let maxFutureBlockIntervals: UInt64 = 12
    /// How many previous timestamps the median-time rule looks at.
    public static let medianTimeSpan = 11

    /// Parameters checked against the format's limits.
    public init(
        name: String, difficultyBits: Int, blockIntervalMilliseconds: UInt32 = 1_000,
        maxBlockSize: Int = 3_000_000, maxValueLength: Int = 64 * 1024, createdAt: UInt64
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
        self.name = name
        self.difficultyBits = difficultyBits
        self.blockIntervalMilliseconds = blockIntervalMilliseconds
        self.maxBlockSize = maxBlockSize
        self.maxValueLength = maxValueLength
        self.createdAt = createdAt
    }

    /// The proof-of-work target every block of this network must carry.
    public var target: Target {
        // The initializer checked the range, so this cannot fail; keep a valid fallback anyway.
        (try? Target(difficultyBits: difficultyBits)) ?? Self.easiestTarget
    }

    private static let easiestTarget: Target = {
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
