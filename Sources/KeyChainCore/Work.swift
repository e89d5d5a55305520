/// Expected hashes: the work of one block, or the cumulative work of a chain. Fork choice follows
/// the most cumulative work.
public struct Work: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The number of hashes.
    public var value: UInt128

    /// No work.
    public static let zero = Work(0)

    /// Wraps a number of hashes.
    public init(_ value: UInt128) { self.value = value }

    /// The sum, saturating rather than trapping.
    public static func + (lhs: Work, rhs: Work) -> Work {
        let (sum, overflow) = lhs.value.addingReportingOverflow(rhs.value)
        return Work(overflow ? .max : sum)
    }

    /// The difference, floored at zero.
    public static func - (lhs: Work, rhs: Work) -> Work {
        Work(lhs.value > rhs.value ? lhs.value - rhs.value : 0)
    }

    public static func < (lhs: Work, rhs: Work) -> Bool { lhs.value < rhs.value }
    public var description: String { String(value) }
}
