/// `--dev` (one node, no peers): seal a block as soon as puts wait, and keep sealing only
/// until every waiting client has the depth it asked for.
public struct OnDemandSealing: MiningPolicy {
    /// The policy.
    public init() {}
    /// While puts or clients wait.
    public func shouldMine(waitingPuts: Int, waitingClients: Bool) -> Bool { waitingPuts > 0 || waitingClients }
    /// A put is sealed within a few milliseconds.
    public var refreshDelay: Duration { .milliseconds(2) }
}
