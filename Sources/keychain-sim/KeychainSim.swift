import ArgumentParser
import Foundation
import KeyChainCore
import KeyChainP2P
import KeyChainSimulator

/// `keychain-sim`: runs the peer protocol on a simulated network and writes CSV.
@main
struct KeychainSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keychain-sim",
        abstract: "Run KeyChain's peer protocol on a simulated network (virtual time, deterministic from --seed).",
        discussion: "Writes one CSV row per block (when it was mined, how many nodes it reached, propagation p50/p95/max) and prints a summary."
    )

    @Option(help: "Nodes.") var nodes = 100
    @Option(help: "Outbound connections each node dials.") var outbound = 8
    @Option(help: "Link latency, ms.") var latency: UInt64 = 50
    @Option(help: "Latency jitter (uniform ±), ms.") var jitter: UInt64 = 20
    @Option(help: "Message loss, 0-1.") var loss = 0.0
    @Option(help: "Mean time between blocks across the network, ms.") var blockInterval: UInt64 = 1_000
    @Option(help: "Puts a second submitted at random nodes.") var txRate = 0.0
    @Option(help: "Virtual seconds to run.") var duration: UInt64 = 60
    @Option(help: "Seed.") var seed: UInt64 = 1
    @Option(help: "CSV output path.") var out = "simulation.csv"

    func run() throws {
        let parameters = try NetworkParameters(name: "simulated", difficultyBits: 1, createdAt: 1_767_225_600_000)
        var configuration = Simulator.Configuration()
        configuration.nodes = nodes
        configuration.outboundPeers = outbound
        configuration.latency = latency
        configuration.jitter = jitter
        configuration.loss = loss
        configuration.blockInterval = blockInterval
        configuration.seed = seed
        let started = Date()
        let simulator = try Simulator(configuration: configuration, parameters: parameters)
        let identity = Identity()
        var generator = SeededGenerator(seed: seed &+ 99)
        var submitted = 0
        let end = simulator.now + duration * 1_000
        let step: UInt64 = txRate > 0 ? max(1, UInt64(1_000 / txRate)) : 1_000
        while simulator.now < end {
            simulator.run(for: step)
            if txRate > 0 {
                let put = try Transaction.signed(key: "sim/\(submitted)", value: Array("v".utf8), nonce: generator.next(), by: identity)
                simulator.submit(put, at: Int(generator.next() % UInt64(nodes)))
                submitted += 1
            }
        }
        // Let the last blocks land before measuring.
        simulator.mining = false
        simulator.run(for: 10_000)
        let wall = Date().timeIntervalSince(started)
        try Report(simulator: simulator, submitted: submitted, wallSeconds: wall).write(csv: out)
    }
}

/// What a run measured.
struct Report {
    let simulator: Simulator
    let submitted: Int
    let wallSeconds: Double

    func write(csv path: String) throws {
        var rows = ["block,mined_at_ms,nodes_reached,p50_ms,p95_ms,max_ms"]
        var delays: [UInt64] = []
        var blocks = 0
        for (hash, mined) in simulator.minedAt.sorted(by: { $0.value < $1.value }) {
            let arrivals = (simulator.arrivals[hash] ?? [:]).values.map { $0 >= mined ? $0 - mined : 0 }.sorted()
            guard !arrivals.isEmpty else { continue }
            blocks += 1
            delays += arrivals
            rows.append("\(hash.hex),\(mined - simulator.parameters.createdAt),\(arrivals.count),\(Self.percentile(arrivals, 0.5)),\(Self.percentile(arrivals, 0.95)),\(arrivals.last ?? 0)")
        }
        try (rows.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)

        let sent = simulator.messagesSent
        let links = simulator.nodes.reduce(0) { $0 + $1.peers.count } / 2
        let n = simulator.nodes.count
        let degree = Double(2 * links) / Double(max(n, 1))
        let flooding = Double(n) * (degree - 1)
        // Anti-entropy's getheaders and its (mostly empty) headers replies are counted apart.
        let antiEntropy = sent["getheaders"] ?? 0
        let blockMessages = ["headers", "getdata.block", "block", "notfound.block"].reduce(0) { $0 + (sent[$1] ?? 0) } - antiEntropy
        let txMessages = ["inv.tx", "getdata.tx", "tx", "notfound.tx"].reduce(0) { $0 + (sent[$1] ?? 0) }
        delays.sort()
        print("nodes \(n), links \(links), mean degree \(String(format: "%.1f", degree)), blocks \(blocks), puts \(submitted)")
        print("messages by command: \(sent.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        print(String(format: "block messages (announcing headers, getdata, block, notfound) per block: %.0f; flooding n(k-1) = %.0f; ratio %.2f",
                     Double(blockMessages) / Double(max(blocks, 1)), flooding, Double(blockMessages) / Double(max(blocks, 1)) / max(flooding, 1)))
        print(String(format: "anti-entropy getheaders: %d (%.0f per block)", antiEntropy, Double(antiEntropy) / Double(max(blocks, 1))))
        if submitted > 0 {
            print(String(format: "put messages (inv, getdata, tx, notfound) per put: %.0f; ratio to flooding %.2f",
                         Double(txMessages) / Double(submitted), Double(txMessages) / Double(submitted) / max(flooding, 1)))
        }
        let reasons = Dictionary(grouping: simulator.bans, by: { String($0.reason.prefix(60)) }).mapValues(\.count)
        if !reasons.isEmpty { print("bans: \(reasons)") }
        print("block propagation over all (block, node) arrivals: p50 \(Self.percentile(delays, 0.5)) ms, p95 \(Self.percentile(delays, 0.95)) ms")
        print(String(format: "events %d in %.1f s wall = %.0f events/s", simulator.eventsProcessed, wallSeconds, Double(simulator.eventsProcessed) / wallSeconds))
    }

    static func percentile(_ sorted: [UInt64], _ p: Double) -> UInt64 {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
}
