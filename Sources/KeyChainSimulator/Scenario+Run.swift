import Foundation
import KeyChainCore
import KeyChainP2P

extension Scenario {
    /// The simulator configuration this scenario asks for.
    public var configuration: Simulator.Configuration {
        var configuration = Simulator.Configuration()
        configuration.nodes = nodes
        configuration.outboundPeers = min(outbound, nodes - 1)
        configuration.trackerPeers = trackerPeers
        configuration.latency = latencyMs
        configuration.jitter = jitterMs
        configuration.loss = loss
        configuration.blockInterval = blockIntervalMs
        configuration.peer.compactBlocks = relay == "compact"
        configuration.peer.reconciliation = relay == "compact"
        configuration.peer.flooding = relay == "flood"
        configuration.seed = seed
        return configuration
    }

    /// The simulated network: a fixed one keeps the interval the runs before retargeting had
    /// (and so their genesis); a retargeting one aims at `blockIntervalMs`.
    public var network: NetworkParameters {
        get throws {
            guard let halfLifeIntervals else {
                return try NetworkParameters(name: "simulated", difficultyBits: difficultyBits, createdAt: 1_767_225_600_000)
            }
            return try NetworkParameters(name: "simulated", difficultyBits: difficultyBits, blockIntervalMilliseconds: UInt32(blockIntervalMs),
                                         createdAt: 1_767_225_600_000, retargeting: .asert(halfLifeIntervals: halfLifeIntervals))
        }
    }

    /// Runs the scenario: puts at `putsPerSecond` at random nodes, the events at their times,
    /// then `settleSeconds` of settling (3 more at the end to let a final block land).
    /// Deterministic from `seed`.
    public func run() throws -> SimulationReport {
        let started = Date()
        let parameters = try network
        let simulator = try Simulator(configuration: configuration, parameters: parameters)
        var generator = SeededGenerator(seed: seed &+ 99)
        // The author's key follows from the seed too: the same seed gives the same txids.
        let identity = try Identity(seed: (0..<32).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        var keys: [String] = []
        let start = simulator.now
        let end = start + UInt64(durationSeconds * 1_000)
        let putInterval = putsPerSecond > 0 ? max(1, UInt64(1_000 / putsPerSecond)) : UInt64.max
        var nextPut = putsPerSecond > 0 ? start + putInterval : UInt64.max
        var pending = events.sorted { $0.at < $1.at }[...]
        while simulator.now < end {
            let nextEvent = pending.first.map { start + UInt64($0.at * 1_000) } ?? .max
            simulator.run(until: min(end, nextPut, nextEvent))
            while let event = pending.first, start + UInt64(event.at * 1_000) <= simulator.now {
                pending.removeFirst()
                try apply(event.action, to: simulator)
            }
            if simulator.now >= nextPut {
                let key = "sim/\(keys.count)"
                let put = try Transaction.signed(key: key, value: Array("v".utf8), nonce: generator.next(), by: identity)
                simulator.submit(put, at: Int(generator.next() % UInt64(nodes)))
                keys.append(key)
                nextPut += putInterval
            }
        }
        // Settle: heal, let the puts sent last be mined, then stop mining, let blocks in flight
        // land, and have one node mine a last block to end any equal-work tie.
        simulator.heal()
        let settle = UInt64(settleSeconds * 1_000)
        simulator.run(for: settle / 2)
        simulator.mining = false
        simulator.run(for: 3_000)
        if let miner = simulator.nodes.first(where: \.isUp) { simulator.mine(at: miner.index) }
        simulator.run(for: settle - settle / 2)
        return SimulationReport(simulator: simulator, puts: keys, wallSeconds: Date().timeIntervalSince(started))
    }

    private func apply(_ action: TimedEvent.Action, to simulator: Simulator) throws {
        switch action {
        case let .partition(groups): simulator.partition(groups)
        case .heal: simulator.heal()
        case let .crash(node): if simulator.nodes[node].isUp { simulator.crash(node) }
        case let .restart(node): if !simulator.nodes[node].isUp { try simulator.restart(node, connectingTo: []) }
        case let .hashShares(shares): simulator.setHashShares(shares)
        case let .hashPower(factor): simulator.setHashPower(factor)
        case let .mining(on): simulator.mining = on
        }
    }
}
