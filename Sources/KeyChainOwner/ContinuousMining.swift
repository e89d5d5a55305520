/// Mining on a network (docs/ARCHITECTURE.md §4): always, empty blocks included, since proof-of-work
/// security is a rate and a chain that idles invites a minority to out-mine it.
public struct ContinuousMining: MiningPolicy {
    /// The policy.
    public init() {}
    /// Always.
    public func shouldMine(waitingPuts: Int, waitingClients: Bool) -> Bool { true }
    /// New puts join the template within 100 ms.
    public var refreshDelay: Duration { .milliseconds(100) }
}
