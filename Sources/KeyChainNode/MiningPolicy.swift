/// When the node's miner works: the rule that decides, after every change, whether the miner
/// gets a template or idles, and how long new puts may gather before it is re-templated.
public protocol MiningPolicy: Sendable {
    /// Whether to mine now, given how many puts wait and whether clients wait for depth.
    func shouldMine(waitingPuts: Int, waitingClients: Bool) -> Bool
    /// How long after a put arrives the miner is given a template that holds it.
    var refreshDelay: Duration { get }
}

/// Mining on a network (DESIGN.md §4): always, empty blocks included, since proof-of-work
/// security is a rate and a chain that idles invites a minority to out-mine it.
public struct ContinuousMining: MiningPolicy {
    /// The policy.
    public init() {}
    public func shouldMine(waitingPuts: Int, waitingClients: Bool) -> Bool { true }
    public var refreshDelay: Duration { .milliseconds(100) }
}

/// `--dev` (one node, no peers): seal a block as soon as puts wait, and keep sealing only
/// until every waiting client has the depth it asked for.
public struct OnDemandSealing: MiningPolicy {
    /// The policy.
    public init() {}
    public func shouldMine(waitingPuts: Int, waitingClients: Bool) -> Bool { waitingPuts > 0 || waitingClients }
    public var refreshDelay: Duration { .milliseconds(2) }
}
