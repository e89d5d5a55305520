import ArgumentParser
import Foundation
import KeyChainSimulator

/// `keychain-sim`: runs the peer protocol on a simulated network and writes CSV.
@main
struct KeychainSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keychain-sim",
        abstract: "Run KeyChain's peer protocol on a simulated network (virtual time, deterministic from the seed).",
        discussion: """
            Runs a scenario file (--scenario, JSON; see experiments/scenarios/) or one built from the flags. \
            A flag given with --scenario overrides the file. Writes one CSV row per block (when it was mined, \
            which node mined it at what height, how many nodes it reached, propagation p50/p95/max, the mean interval \
            its target asked at that moment's hash power, whether it is on the final best chain) and prints a summary.
            """
    )

    @Option(help: "A scenario file (JSON): the network, the load and a timeline of faults.") var scenario: String?
    @Option(help: "Nodes (default 100).") var nodes: Int?
    @Option(help: "Outbound connections each node keeps (default 8).") var outbound: Int?
    @Option(help: "Addresses each node gets from the tracker at start (default 50).") var trackerPeers: Int?
    @Option(help: "Link latency, ms (default 50).") var latency: UInt64?
    @Option(help: "Latency jitter (uniform ±), ms (default 20).") var jitter: UInt64?
    @Option(help: "Message loss, 0-1 (default 0).") var loss: Double?
    @Option(help: "Mean time between blocks across the whole network, ms (default 1000).") var blockInterval: UInt64?
    @Option(help: "Genesis difficulty in bits (default 1).") var difficulty: Int?
    @Option(help: "Retarget by ASERT with this half-life in block intervals (default: a fixed difficulty).") var halfLife: UInt32?
    @Option(help: "The relay: compact (the default: compact blocks, puts to outbound peers and reconciled) or headers (the relay before: headers, getdata, block; puts to every peer, re-offered every 5 s) or flood (the baseline: every new tip and put pushed whole to every peer but its source).") var relay: String?
    @Option(help: "Puts a second, each at a random node (default 0).") var txRate: Double?
    @Option(help: "Virtual seconds to run (default 60).") var duration: Double?
    @Option(help: "Seed (default 1).") var seed: UInt64?
    @Option(help: "CSV output path.") var out = "simulation.csv"
    @Flag(help: "Print the summary as one JSON object instead of lines.") var json = false

    func run() throws {
        var plan = Scenario()
        if let scenario {
            do { plan = try Scenario.load(scenario) } catch { throw ValidationError(error.description) }
        }
        if let nodes { plan.nodes = nodes }
        if let outbound { plan.outbound = outbound }
        if let trackerPeers { plan.trackerPeers = trackerPeers }
        if let latency { plan.latencyMs = latency }
        if let jitter { plan.jitterMs = jitter }
        if let loss { plan.loss = loss }
        if let blockInterval { plan.blockIntervalMs = blockInterval }
        if let difficulty { plan.difficultyBits = difficulty }
        if let halfLife { plan.halfLifeIntervals = halfLife }
        if let relay { plan.relay = relay }
        if let txRate { plan.putsPerSecond = txRate }
        if let duration { plan.durationSeconds = duration }
        if let seed { plan.seed = seed }
        do { try plan.validate("the flags") } catch { throw ValidationError(error.description) }
        let report = try plan.run()
        try report.csv.write(toFile: out, atomically: true, encoding: .utf8)
        if json {
            print(report.json)
        } else {
            print(report.summary)
            print("per-block rows: \(out)")
        }
    }
}
