import Foundation
import KeyChainAPI
import KeyChainClient
import KeyChainCore
import KeyChainTestProcesses
import KeyChainTestSupport
import Testing

/// The network's user stories, with real `keychain-tracker` and `keychain-node` processes on
/// 127.0.0.1: every wait bounded, every process stopped by its PID.
@Suite(.serialized) struct NetworkScenarioTests {
    /// A put through one node is readable, with its whole history, through the others; puts
    /// through each node reach the rest; a node started later with an empty data directory
    /// bootstraps through the tracker to the same tip and values.
    @Test func putsSpreadAndANewNodeBootstrapsThroughTheTracker() async throws {
        let directory = try TemporaryDirectory()
        let tracker = try await TrackerProcess(stateDirectory: directory.file("tracker"))
        var nodes: [NodeProcess] = []
        let metricsPort = try freePort()
        for index in 1...3 {
            let extra = index == 1 ? ["--metrics", "127.0.0.1:\(metricsPort)"] : []
            nodes.append(try await NodeProcess(dataDirectory: directory.file("node\(index)"),
                                               network: NetworkNodeOptions(trackers: [tracker.address], extra: extra)))
        }
        try await waitUntilConnected(nodes, peers: 2)

        let author = try TestNetwork.identity(1)
        let writer = try await nodes[0].client()
        var txids: [String] = []
        for value in ["v0", "v1"] {
            let receipt = try await writer.put(key: "config/db", value: Array(value.utf8), signer: .identity(author))
            guard case .confirmed = await receipt.outcome else { Issue.record("put \(value) not confirmed"); return }
            txids.append(receipt.txid.hex)
        }
        try await waitUntilEveryNode(nodes, has: "config/db", txids: txids)
        let history = try await nodes[2].history("config/db")
        #expect(history.map(\.value) == ["v0", "v1"])
        #expect(history.map(\.author) == [author.publicKey.hex, author.publicKey.hex])

        // Each node's own wallet writes through it; every put reaches the other two.
        var written: [String: String] = [:]
        for (index, node) in nodes.enumerated() {
            let client = try await node.client()
            let receipt = try await client.put(key: "from/node\(index + 1)", value: Array("hello".utf8), signer: .node)
            guard case .confirmed = await receipt.outcome else { Issue.record("put through node \(index + 1) not confirmed"); return }
            written["from/node\(index + 1)"] = receipt.txid.hex
            await client.close()
        }
        for (key, txid) in written { try await waitUntilEveryNode(nodes, has: key, txids: [txid]) }
        // The network in node 1's metrics: its peers, and what crossed the links.
        let metrics = MetricsTests.samples(try await httpGet(metricsPort, "/metrics").body)
        #expect(metrics["keychain_peers"] == 2, "\(metrics.filter { $0.key.contains("peer") })")
        #expect(metrics["keychain_peer_connections"] == 2)
        #expect((metrics[#"keychain_peer_messages_received_total{command="headers"}"#] ?? 0) > 0)
        #expect((metrics["keychain_peer_bytes_sent_total"] ?? 0) > 0)
        #expect((metrics["keychain_best_known_height"] ?? 0) >= 1)

        let late = try await NodeProcess(dataDirectory: directory.file("node4"), network: NetworkNodeOptions(trackers: [tracker.address]))
        try await eventually("the new node to reach the network's tip") {
            let tip = try await nodes[0].status()
            let mine = try await late.status()
            return mine.height >= tip.height && mine.peers >= 1
        }
        #expect(try await late.history("config/db").map(\.txid) == txids)
        for (key, txid) in written { #expect(try await late.history(key).map(\.txid) == [txid]) }
        #expect(try await late.status().genesis == (try await nodes[0].status()).genesis)

        await writer.close()
        for node in nodes + [late] { try await node.stop() }
        try await tracker.stop()
    }

    /// kill -9 of the node being written to: once restarted it catches up, and no put that was
    /// reported confirmed is missing on any node.
    @Test func aKilledNodeCatchesUpAndNoConfirmedPutIsLost() async throws {
        let directory = try TemporaryDirectory()
        let tracker = try await TrackerProcess(stateDirectory: directory.file("tracker"))
        let options = try (1...3).map { _ in try NetworkNodeOptions(trackers: [tracker.address]) }
        var nodes: [NodeProcess] = []
        for (index, option) in options.enumerated() {
            nodes.append(try await NodeProcess(dataDirectory: directory.file("node\(index + 1)"), network: option))
        }
        try await waitUntilConnected(nodes, peers: 2)

        let author = try TestNetwork.identity(2)
        let writer = try await nodes[0].client()
        var confirmed: [(key: String, txid: String)] = []
        var receipts: [(String, PutReceipt)] = []
        for index in 0..<40 {
            guard let receipt = try? await writer.put(key: "load/\(index)", value: Array("\(index)".utf8),
                                                      signer: .identity(author)) else { break }
            receipts.append(("load/\(index)", receipt))
            if index == 25 {
                // Everything confirmed so far must survive the crash.
                for (key, receipt) in receipts {
                    if case .confirmed = await receipt.outcome { confirmed.append((key, receipt.txid.hex)) }
                }
                kill(nodes[0].pid, SIGKILL)
            }
        }
        _ = try await nodes[0].exitStatus()
        #expect(!confirmed.isEmpty)
        await writer.close()

        let restarted = try await NodeProcess(dataDirectory: directory.file("node1"), network: options[0])
        nodes[0] = restarted
        try await eventually("the restarted node to catch up") {
            let theirs = try await nodes[1].status().height
            return try await restarted.status().height >= theirs
        }
        for (key, txid) in confirmed { try await waitUntilEveryNode(nodes, has: key, txids: [txid]) }
        for node in nodes { try await node.stop() }
        try await tracker.stop()
    }

    /// With the tracker gone, blocks and puts still flow; a restarted node finds its peers in
    /// its peers file; a new node joins with --peer alone, taking the network from that peer.
    @Test func theNetworkOutlivesItsTracker() async throws {
        let directory = try TemporaryDirectory()
        let tracker = try await TrackerProcess(stateDirectory: directory.file("tracker"))
        let first = try NetworkNodeOptions(trackers: [tracker.address])
        let second = try NetworkNodeOptions(trackers: [tracker.address])
        let one = try await NodeProcess(dataDirectory: directory.file("node1"), network: first)
        var two = try await NodeProcess(dataDirectory: directory.file("node2"), network: second)
        try await waitUntilConnected([one, two], peers: 1)
        try await tracker.stop()

        let author = try TestNetwork.identity(3)
        let client = try await one.client()
        let receipt = try await client.put(key: "after/tracker", value: Array("still here".utf8), signer: .identity(author))
        guard case .confirmed = await receipt.outcome else { Issue.record("put not confirmed without a tracker"); return }
        await client.close()
        try await waitUntilEveryNode([one, two], has: "after/tracker", txids: [receipt.txid.hex])

        // Node 2 saves its peers on the way down and dials them on the way up.
        try await two.stop()
        #expect(FileManager.default.fileExists(atPath: directory.file("node2/peers")))
        two = try await NodeProcess(dataDirectory: directory.file("node2"), network: second)
        try await waitUntilConnected([one, two], peers: 1)
        #expect(two.log.contains("peers file read"))

        // No tracker and no genesis file: the node asks its peer which network it follows.
        let third = try NetworkNodeOptions(peers: [first.peerAddress])
        let three = try await NodeProcess(dataDirectory: directory.file("node3"), network: third)
        try await eventually("the node that joined with --peer to have the put") {
            try await three.history("after/tracker").map(\.txid) == [receipt.txid.hex]
        }
        #expect(three.log.contains("network from peer"), "\(three.log)")
        let latest = try await three.client()
        let fromThree = try await latest.put(key: "from/three", value: Array("joined".utf8), signer: .node)
        guard case .confirmed = await fromThree.outcome else { Issue.record("put through the new node not confirmed"); return }
        await latest.close()
        try await waitUntilEveryNode([one, two, three], has: "from/three", txids: [fromThree.txid.hex])
        for node in [one, two, three] { try await node.stop() }

        // A node pinned to this network refuses another's genesis, naming both.
        let foreign = try await TrackerProcess(stateDirectory: directory.file("foreign"), arguments: ["--difficulty", "13"])
        let refused = try await NodeProcess(dataDirectory: directory.file("node1"),
                                            arguments: first.arguments + ["--genesis", directory.file("foreign/network.json")],
                                            waitUntilReady: false)
        #expect(try await refused.exitStatus() == 1)
        let ours = try #require(Hex.decode(try String(contentsOfFile: directory.file("node1/network.params"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        let theirs = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory.file("foreign/network.json"))))
        #expect(refused.log.contains(try NetworkParameters(decoding: ours).genesisHash.hex), "\(refused.log)")
        #expect(refused.log.contains(try #require((theirs as? [String: Any])?["genesis"] as? String)), "\(refused.log)")
        try await foreign.stop()
    }

    /// Two mining nodes whose only link (through a proxy) is cut mine apart, each taking a
    /// put; restored, they agree on one chain that holds both puts: the losing side's put is
    /// re-mined, not lost.
    @Test func aCutLinkHealsOnOneChainWithBothSidesPuts() async throws {
        let directory = try TemporaryDirectory()
        let tracker = try await TrackerProcess(stateDirectory: directory.file("tracker"))
        // B takes the network from the tracker; A knows only the proxy (and does not listen,
        // so B cannot dial around the cut).
        let optionsB = try NetworkNodeOptions(trackers: [tracker.address])
        let b = try await NodeProcess(dataDirectory: directory.file("b"), network: optionsB)
        let proxy = try await TCPProxy(target: optionsB.peerPort)
        let optionsA = try NetworkNodeOptions(peers: ["127.0.0.1:\(proxy.port)"], listen: false,
                                              extra: ["--genesis", directory.file("b/network.params")])
        let a = try await NodeProcess(dataDirectory: directory.file("a"), network: optionsA)
        try await waitUntilConnected([a, b], peers: 1)

        await proxy.cut()
        try await eventually("the cut to be seen on both sides") {
            let (peersA, peersB) = (try await a.status().peers, try await b.status().peers)
            return peersA == 0 && peersB == 0
        }
        let author = try TestNetwork.identity(4)
        var puts: [(String, String)] = []
        for (side, node) in [("a", a), ("b", b)] {
            let client = try await node.client()
            let receipt = try await client.put(key: "side/\(side)", value: Array(side.utf8), signer: .identity(author))
            guard case .confirmed = await receipt.outcome else { Issue.record("put on side \(side) not confirmed"); return }
            puts.append(("side/\(side)", receipt.txid.hex))
            await client.close()
        }
        // Both sides mine on: two chains, each with one side's put.
        try await eventually("both sides to grow apart") {
            let (heightA, heightB) = (try await a.status(), try await b.status())
            return heightA.tip != heightB.tip && heightA.height > 3 && heightB.height > 3
        }

        try await proxy.restore()
        try await waitUntilConnected([a, b], peers: 1, seconds: 120)
        for (key, txid) in puts { try await waitUntilEveryNode([a, b], has: key, txids: [txid], seconds: 120) }
        try await eventually("one chain") {
            let (statusA, statusB) = (try await a.status(), try await b.status())
            return statusA.height == statusB.height && statusA.tip == statusB.tip
        }
        for node in [a, b] { try await node.stop() }
        await proxy.close()
        try await tracker.stop()
    }
}
