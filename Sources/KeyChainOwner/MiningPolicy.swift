/// When the node's miner works: the rule that decides, after every change, whether the miner
/// gets a template or idles, and how long new puts may gather before it is re-templated.
public protocol MiningPolicy: Sendable {
    /// Whether to mine now, given how many puts wait and whether clients wait for depth.
    func shouldMine(waitingPuts: Int, waitingClients: Bool) -> Bool
    /// How long after a put arrives the miner is given a template that holds it.
    var refreshDelay: Duration { get }
}
