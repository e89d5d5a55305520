/// Why an ASERT schedule could not be made from its parameters.
public enum ASERTScheduleError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The block interval is zero or negative.
    case intervalNotPositive(Int64)
    /// The half-life is zero or negative.
    case halfLifeNotPositive(Int64)

    public var description: String {
        switch self {
        case let .intervalNotPositive(interval): "the block interval must be positive, not \(interval)"
        case let .halfLifeNotPositive(halfLife): "the retargeting half-life must be positive, not \(halfLife)"
        }
    }
}
