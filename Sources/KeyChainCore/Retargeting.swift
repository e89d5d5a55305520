/// How a network's target moves: not at all, or by ASERT toward one block a nominal interval.
/// Fixed at genesis like every other network parameter.
public enum Retargeting: Hashable, Sendable, CustomStringConvertible {
    /// Every block carries the genesis target: for measurements that need a constant cost per
    /// block, and for the networks made before retargeting existed.
    case fixed
    /// `ASERTSchedule` anchored at genesis: `halfLifeIntervals` nominal intervals off the
    /// schedule double or halve the target.
    case asert(halfLifeIntervals: UInt32)

    /// The half-life new networks take: 30 intervals follows a tenfold change in hash power
    /// within about 100 intervals and keeps a run of lucky blocks from moving the target by
    /// more than a few percent.
    public static let defaultHalfLifeIntervals: UInt32 = 30
    /// The longest half-life a network may have: a million intervals, past which the target
    /// would in practice never move.
    public static let maxHalfLifeIntervals: UInt32 = 1_000_000

    /// What new networks do unless asked otherwise.
    public static let `default` = Retargeting.asert(halfLifeIntervals: defaultHalfLifeIntervals)

    public var description: String {
        switch self {
        case .fixed: "fixed"
        case let .asert(halfLife): "asert, half-life \(halfLife) intervals"
        }
    }
}
