/// `--dev` (one node, no peers): seal a block as soon as puts wait, and keep sealing only
/// until every waiting client has the depth it asked for.
public struct OnDemandSealing: MiningPolicy {
    /// The policy.
    public init() {}
    public func shouldMine(waitingPuts: Int, waitingClients: Bool) -> Bool { waitingPuts > 0 || waitingClients }
    public var refreshDelay: Duration { .milliseconds(2) }
}
