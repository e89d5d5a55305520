/// A peer, as the transport numbers it.
public struct PeerID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let value: UInt64
    public init(_ value: UInt64) { self.value = value }
    public static func < (lhs: PeerID, rhs: PeerID) -> Bool { lhs.value < rhs.value }
    public var description: String { "peer\(value)" }
}
