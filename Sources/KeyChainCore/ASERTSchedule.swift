/// The targets a retargeting chain asks of its blocks: Bitcoin Cash's aserti3-2d rule, in its
/// integer form, so that every node computes the same target bit for bit.
///
/// The target moves with how far the chain is ahead of or behind an absolute schedule that
/// starts at an anchor block: every `halfLife` behind schedule doubles it (easier), every
/// `halfLife` ahead halves it. Only the anchor and the parent block enter, never a window of
/// past blocks, so there are no window edges to game and a slow block corrects the very next
/// target. Times and intervals may be in any one unit: KeyChain's headers count milliseconds,
/// the published reference runs count seconds.
///
/// The multiplication is done 320 bits wide, where Bitcoin Cash's code uses 256: its easiest
/// target has 32 leading zero bits, KeyChain's easiest is 2^255, and times 2^17 that no longer
/// fits in 256 bits. With an anchor target below 2^239 the products fit either way, so the
/// results are exactly Bitcoin Cash's (its limit is below 2^224; its reference runs pass).
public struct ASERTSchedule: Hashable, Sendable {
    /// The anchor block's height.
    public let anchorHeight: UInt64
    /// The timestamp of the anchor's parent: the schedule starts one interval before the anchor.
    public let anchorParentTime: Int64
    /// The anchor block's target: the target while the chain keeps to the schedule.
    public let anchorTarget: Target
    /// The time a block should take, in the unit of the timestamps.
    public let interval: Int64
    /// How far off the schedule doubles or halves the target, in the same unit.
    public let halfLife: Int64
    /// The easiest target the network allows: no result is easier.
    public let easiest: Target

    /// A schedule from an anchor; `interval` and `halfLife` must be positive.
    public init(anchorHeight: UInt64, anchorParentTime: Int64, anchorTarget: Target,
                interval: Int64, halfLife: Int64, easiest: Target) throws(ASERTScheduleError) {
        guard interval > 0 else { throw .intervalNotPositive(interval) }
        guard halfLife > 0 else { throw .halfLifeNotPositive(halfLife) }
        self.anchorHeight = anchorHeight
        self.anchorParentTime = anchorParentTime
        self.anchorTarget = anchorTarget
        self.interval = interval
        self.halfLife = halfLife
        self.easiest = easiest
    }

    /// The target of the block after the one at `height` with timestamp `time`.
    ///
    /// Total for every input a header can carry: a height before the anchor counts as the
    /// anchor's, and exponents past the 256-bit range end at the easiest target or at 1.
    public func target(after height: UInt64, time: Int64) -> Target {
        let heightsPast = max(Int128(height) - Int128(anchorHeight), 0)
        let (scheduled, overflow) = Int128(interval).multipliedReportingOverflow(by: heightsPast + 1)
        // Past 2^100 either way every half-life that fits in an Int64 leaves the 320-bit range,
        // so clamping there changes no result and keeps the products below in range.
        let limit: Int128 = 1 << 100
        let behind = overflow || scheduled > limit << 20
            ? -limit : min(max(Int128(time) - Int128(anchorParentTime) - scheduled, -limit), limit)
        // Fixed point with 16 fraction bits; Swift's `/` truncates toward zero as the rule's does.
        let exponent = behind * 65_536 / Int128(halfLife)
        let fraction = UInt128(UInt16(truncatingIfNeeded: exponent))
        // 2^(fraction / 65536) in 16 fraction bits, by the rule's cubic (error under 0.013%).
        let factor = 65_536 + ((195_766_423_245_049 * fraction + 971_821_376 * fraction * fraction
            + 5_127 * fraction * fraction * fraction + (1 << 47)) >> 48)
        var value = Wide(anchorTarget.value)
        value.multiply(by: UInt64(factor))
        // Whole doublings, less the 16 fraction bits the factor carries (`>>` floors).
        let shifts = (exponent >> 16) - 16
        if shifts < 0 {
            value.shiftRight(by: shifts < -320 ? 320 : Int(-shifts))
        } else if shifts > 320 || !value.shiftLeft(by: Int(shifts)) {
            return easiest
        }
        guard let bytes = value.bytes32, bytes <= easiest.value else { return easiest }
        if bytes == .zero { return Self.smallest }
        // Rounding down to the compact form keeps it at most `bytes`, so still valid.
        return (try? Target(compact: Target.compactForm(of: bytes.bytes))) ?? Self.smallest
    }

    /// The hardest target there is: 1.
    private static let smallest: Target = {
        guard let one = try? Target(compact: 0x0101_0000) else { preconditionFailure("1 is a valid compact target") }
        return one
    }()
}
