import KeyChainCore

/// What a simulation measured: per-block propagation, message costs against flooding, and
/// the simulator's own speed.
public struct SimulationReport: Sendable {
    /// One mined block that reached at least one node.
    public struct BlockRow: Sendable {
        public let hash: Hash256
        /// Since the network's creation, ms.
        public let minedAt: UInt64
        /// The node that mined it, and its height.
        public let miner: Int
        public let height: UInt32
        /// Delay until each node that has it connected it, sorted, ms.
        public let delays: [UInt64]
        /// The mean time the network took for a block at its target, at the hash power of the
        /// moment it was mined, ms.
        public let expectedInterval: Double
        /// Whether it is on the best chain of the first running node at the end.
        public let onBestChain: Bool
    }

    public let nodes: Int
    public let links: Int
    /// Delay from each put's submission until each node held it, over every (put, node)
    /// arrival, sorted, ms.
    public let putDelays: [UInt64]
    public let blocks: [BlockRow]
    /// Blocks that reached every running node, and the messages that moved them (as
    /// `Simulator.messagesByBlock` charges them).
    public let blocksEverywhere: Int
    public let messagesForBlocksEverywhere: Int
    public let messagesSent: [String: Int]
    /// Frame bytes sent, by command (what TCP would carry, headers included).
    public let bytesSent: [String: Int]
    public let puts: Int
    /// Puts present on every running node at the end.
    public let putsEverywhere: Int
    /// Distinct tips among running nodes at the end.
    public let tips: Int
    public let events: Int
    public let wallSeconds: Double

    init(simulator: Simulator, puts keys: [String], wallSeconds: Double) {
        nodes = simulator.nodes.count
        links = simulator.nodes.reduce(0) { $0 + $1.peers.count } / 2
        var rows: [BlockRow] = []
        let reference = simulator.nodes.first(where: \.isUp)?.chain.tree
        for (hash, mined) in simulator.minedAt.sorted(by: { ($0.value, $0.key) < ($1.value, $1.key) }) {
            let delays = (simulator.arrivals[hash] ?? [:]).values.map { $0 >= mined ? $0 - mined : 0 }.sorted()
            let origin = simulator.minedBy[hash] ?? (node: -1, height: 0)
            if !delays.isEmpty {
                rows.append(BlockRow(hash: hash, minedAt: mined - simulator.parameters.createdAt, miner: origin.node, height: origin.height, delays: delays,
                                     expectedInterval: simulator.expectedInterval[hash] ?? 0,
                                     onBestChain: reference?.activeNode(at: origin.height)?.hash == hash))
            }
        }
        blocks = rows
        let runningCount = simulator.nodes.filter(\.isUp).count
        let everywhere = rows.filter { $0.delays.count >= runningCount }
        blocksEverywhere = everywhere.count
        messagesForBlocksEverywhere = everywhere.reduce(0) { $0 + (simulator.messagesByBlock[$1.hash] ?? 0) }
        putDelays = simulator.submittedAt.flatMap { txid, submitted in
            (simulator.putArrivals[txid] ?? [:]).values.map { $0 - min($0, submitted) }
        }.sorted()
        messagesSent = simulator.messagesSent
        bytesSent = simulator.bytesSent
        puts = keys.count
        let running = simulator.nodes.filter(\.isUp)
        putsEverywhere = keys.filter { key in running.allSatisfy { (try? $0.chain.keyIndex.versions(of: key))?.isEmpty == false } }.count
        tips = simulator.tips.count
        events = simulator.eventsProcessed
        self.wallSeconds = wallSeconds
    }

    /// Mean links per node.
    public var degree: Double { Double(2 * links) / Double(max(nodes, 1)) }
    /// Flooding's cost per item: every node sends it to every neighbour but the one it came from.
    public var flooding: Double { Double(nodes) * (degree - 1) }
    /// Anti-entropy's getheaders (each answered by one headers), charged to no block.
    public var antiEntropyMessages: Int { messagesSent["getheaders"] ?? 0 }
    /// Messages that move blocks: announcing headers, getdata, block, notfound, and compact
    /// blocks with their `sendcmpct`, `getblocktxn` and `blocktxn`.
    public var blockMessages: Int {
        Self.blockCommands.reduce(0) { $0 + (messagesSent[$1] ?? 0) } - antiEntropyMessages
    }
    static let blockCommands = ["headers", "getdata.block", "block", "notfound.block", "sendcmpct", "cmpctblock", "getblocktxn", "blocktxn"]
    /// Messages that move puts: inv, getdata, tx, notfound, and reconciliation's two.
    public var putMessages: Int { Self.putCommands.reduce(0) { $0 + (messagesSent[$1] ?? 0) } }
    static let putCommands = ["inv.tx", "getdata.tx", "tx", "notfound.tx", "reconcile", "recondiff"]
    public var blockCostRatio: Double { Double(blockMessages) / Double(max(blocks.count, 1)) / max(flooding, 1) }
    /// Bytes that move blocks (the messages `blockMessages` counts), per block;
    /// anti-entropy's `headers` answers are counted in too, as bytes cannot be told apart.
    public var blockBytesPerBlock: Double {
        Double(Self.blockCommands.reduce(0) { $0 + (bytesSent[$1] ?? 0) }) / Double(max(blocks.count, 1))
    }
    /// Messages per block over the blocks that reached every running node, against flooding.
    public var blockEverywhereCostRatio: Double {
        Double(messagesForBlocksEverywhere) / Double(max(blocksEverywhere, 1)) / max(flooding, 1)
    }
    public var putCostRatio: Double { Double(putMessages) / Double(max(puts, 1)) / max(flooding, 1) }
    /// Delays over every (block, node) arrival, sorted.
    public var allDelays: [UInt64] { blocks.flatMap(\.delays).sorted() }
    public var eventsPerSecond: Double { Double(events) / max(wallSeconds, 1e-9) }

    /// One row per block: `block,mined_at_ms,miner,height,nodes_reached,p50_ms,p95_ms,max_ms,
    /// expected_interval_ms,best`.
    public var csv: String {
        var lines = ["block,mined_at_ms,miner,height,nodes_reached,p50_ms,p95_ms,max_ms,expected_interval_ms,best"]
        for row in blocks {
            lines.append("\(row.hash.hex),\(row.minedAt),\(row.miner),\(row.height),\(row.delays.count),\(Self.percentile(row.delays, 0.5)),"
                + "\(Self.percentile(row.delays, 0.95)),\(row.delays.last ?? 0),\((row.expectedInterval * 10).rounded() / 10),\(row.onBestChain ? 1 : 0)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The headline figures as one JSON object, for scripts (`keychain-sim --json`).
    public var json: String {
        let delays = allDelays
        let figures: [(String, String)] = [
            ("nodes", "\(nodes)"), ("links", "\(links)"), ("degree", "\(degree)"), ("blocks", "\(blocks.count)"), ("puts", "\(puts)"),
            ("putsEverywhere", "\(putsEverywhere)"), ("tips", "\(tips)"), ("flooding", "\(flooding)"),
            ("blockMessages", "\(blockMessages)"), ("blocksEverywhere", "\(blocksEverywhere)"),
            ("messagesForBlocksEverywhere", "\(messagesForBlocksEverywhere)"), ("putMessages", "\(putMessages)"), ("antiEntropyMessages", "\(antiEntropyMessages)"),
            ("blockBytesPerBlock", "\(blockBytesPerBlock)"), ("bytesSent", "\(bytesSent.values.reduce(0, +))"),
            ("propagationP50ms", "\(Self.percentile(delays, 0.5))"), ("propagationP95ms", "\(Self.percentile(delays, 0.95))"),
            ("propagationMaxMs", "\(delays.last ?? 0)"), ("putPropagationP50ms", "\(Self.percentile(putDelays, 0.5))"),
            ("putPropagationP95ms", "\(Self.percentile(putDelays, 0.95))"), ("putPropagationMaxMs", "\(putDelays.max() ?? 0)"),
            ("blocksOnBestChain", "\(blocks.filter(\.onBestChain).count)"), ("events", "\(events)"), ("wallSeconds", "\(wallSeconds)"),
        ]
        return "{" + figures.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    /// A few lines for a person.
    public var summary: String {
        let delays = allDelays
        var lines = [
            "nodes \(nodes), links \(links), mean degree \(Self.format(degree, 1)), blocks \(blocks.count), puts \(puts), tips at the end \(tips)",
            "messages by command: " + messagesSent.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
            "block messages (headers, getdata, block, notfound, compact blocks and their requests) per block: \(Self.format(Double(blockMessages) / Double(max(blocks.count, 1)), 0)); "
                + "flooding n(k-1) = \(Self.format(flooding, 0)); ratio \(Self.format(blockCostRatio, 2))",
            "over the \(blocksEverywhere) blocks that reached every running node: \(Self.format(Double(messagesForBlocksEverywhere) / Double(max(blocksEverywhere, 1)), 0)) "
                + "messages per block (each charged to the block it names; sendcmpct to none); ratio \(Self.format(blockEverywhereCostRatio, 2))",
            "bytes on the wire: \(bytesSent.values.reduce(0, +)) in all; block traffic \(Self.format(blockBytesPerBlock / 1_000, 1)) kB per block",
            "getheaders (on connecting, after a headers reply of 2,000, and anti-entropy): \(antiEntropyMessages) (\(Self.format(Double(antiEntropyMessages) / Double(max(blocks.count, 1)), 0)) per block)",
        ]
        if puts > 0 {
            lines.append("put messages (inv, getdata, tx, notfound, reconcile, recondiff) per put: \(Self.format(Double(putMessages) / Double(puts), 0)); "
                + "ratio to flooding \(Self.format(putCostRatio, 2)); puts on every running node: \(putsEverywhere) of \(puts)")
            lines.append("put propagation over all (put, node) arrivals: p50 \(Self.percentile(putDelays, 0.5)) ms, p95 \(Self.percentile(putDelays, 0.95)) ms")
        }
        lines.append("block propagation over all (block, node) arrivals: p50 \(Self.percentile(delays, 0.5)) ms, p95 \(Self.percentile(delays, 0.95)) ms")
        lines.append("events \(events) in \(Self.format(wallSeconds, 1)) s wall = \(Self.format(eventsPerSecond, 0)) events/s")
        return lines.joined(separator: "\n")
    }

    /// The value at fraction `p` of a sorted list.
    public static func percentile(_ sorted: [UInt64], _ p: Double) -> UInt64 {
        sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    private static func format(_ value: Double, _ decimals: Int) -> String {
        let scale = pow10(decimals)
        let rounded = (value * scale).rounded() / scale
        return decimals == 0 ? String(Int(rounded)) : String(rounded)
    }

    private static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { value, _ in value * 10 } }
}
