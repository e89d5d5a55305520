/// The hashes a miner did in the last few seconds, in one-second buckets: its hash rate now,
/// which a rate since start hides (a miner idle for an hour and busy for a minute, or capped
/// mid-run, would show a rate it never had).
public struct HashRateWindow: Sendable {
    /// How many seconds the rate covers.
    public static let seconds = 10

    /// Hashes by whole second (`second` tags which one a slot holds), a ring indexed by second.
    private var slots: [(second: Int64, hashes: UInt64)]
    /// When the window began: a younger window's rate covers only its own life.
    private let start: Double

    /// An empty window beginning at `start` (seconds on any clock that does not go back).
    public init(start: Double) {
        self.start = start
        slots = Array(repeating: (.min, 0), count: Self.seconds + 1)
    }

    /// Counts `hashes` done at `time`.
    public mutating func add(_ hashes: UInt64, at time: Double) {
        let second = Int64(time.rounded(.down))
        let slot = Int(second.magnitude % UInt64(slots.count))
        if slots[slot].second != second { slots[slot] = (second, 0) }
        slots[slot].hashes &+= hashes
    }

    /// Hashes a second over the last `seconds` whole seconds and the current one so far.
    public func rate(at time: Double) -> Double {
        let now = Int64(time.rounded(.down))
        let first = now - Int64(Self.seconds) + 1
        let hashes = slots.reduce(UInt64(0)) { sum, slot in (first...now).contains(slot.second) ? sum &+ slot.hashes : sum }
        let covered = time - max(Double(first), start)
        return covered > 0 ? Double(hashes) / covered : 0
    }

}
