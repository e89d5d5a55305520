/// What one of the owner's timers is for. Each is set at most once at a time: setting it again
/// moves its deadline.
enum OwnerTimer: Hashable, Sendable {
    /// The peer protocol's 100 ms tick (inv batches, pings, stalls, downloads).
    case tick
    /// The miner's template is refreshed to take the puts that arrived since.
    case refreshTemplate
    /// A client's wait has run out.
    case waitExpires(UInt64)
}
