import Foundation
import KeyChainAPI
import KeyChainClient
import KeyChainTestProcesses
import KeyChainTestSupport
import Testing

/// Hosts of a test network, each in a network namespace of its own with its own address: veth
/// pairs from every host to a bridge in a switch namespace, all created here and deleted after
/// (iproute2; root only). Nothing touches the machine's own namespace.
final class NamespaceLab {
    /// Whether this process may create namespaces (root, and `ip netns` works here).
    static let available: Bool = {
        guard getuid() == 0 else { return false }
        let probe = "kcprobe\(getpid())"
        guard (try? ip(["netns", "add", probe])) != nil else { return false }
        _ = try? ip(["netns", "del", probe])
        return true
    }()

    let tag = String(UInt32.random(in: 0x1000...0xFFFF), radix: 16)
    private(set) var hosts: [String] = []
    private var switchName: String { "kcsw\(tag)" }

    init() throws {
        try Self.ip(["netns", "add", switchName])
        try Self.ip(["-n", switchName, "link", "add", "br0", "type", "bridge"])
        try Self.ip(["-n", switchName, "link", "set", "br0", "up"])
    }

    /// Adds host `name` at 10.201.0.`number`/24 and returns its namespace.
    @discardableResult
    func addHost(_ name: String, number: Int) throws -> String {
        let namespace = "kc\(name)\(tag)"
        let inside = "v\(name)", outside = "s\(name)\(tag)"
        try Self.ip(["netns", "add", namespace])
        hosts.append(namespace)
        try Self.ip(["-n", switchName, "link", "add", outside, "type", "veth", "peer", "name", inside, "netns", namespace])
        try Self.ip(["-n", switchName, "link", "set", outside, "master", "br0"])
        try Self.ip(["-n", switchName, "link", "set", outside, "up"])
        try Self.ip(["-n", namespace, "addr", "add", "10.201.0.\(number)/24", "dev", inside])
        try Self.ip(["-n", namespace, "link", "set", inside, "up"])
        try Self.ip(["-n", namespace, "link", "set", "lo", "up"])
        return namespace
    }

    /// The command prefix that runs a process on host `name`.
    func run(on name: String) -> [String] { ["/usr/sbin/ip", "netns", "exec", "kc\(name)\(tag)"] }

    /// Takes host `name`'s cable out of the switch (or puts it back).
    func setLink(_ name: String, up: Bool) throws {
        try Self.ip(["-n", switchName, "link", "set", "s\(name)\(tag)", up ? "up" : "down"])
    }

    deinit {
        for namespace in hosts + [switchName] { _ = try? Self.ip(["netns", "del", namespace]) }
    }

    @discardableResult
    static func ip(_ arguments: [String]) throws -> String { try runTool("/usr/sbin/ip", arguments) }
}

/// A tracker and three nodes on four hosts, as an operator would run them: nodes listen on
/// 0.0.0.0 and advertise nothing, and find each other through the tracker by the addresses
/// their announcements came from.
@Suite(.serialized) struct SeveralHostsTests {
    @Test(.enabled(if: NamespaceLab.available, "needs root and ip netns to create test hosts; skipped"))
    func nodesOnSeparateHostsFindEachOtherAndHealACutHost() async throws {
        let directory = try TemporaryDirectory()
        let lab = try NamespaceLab()
        try lab.addHost("t", number: 1)
        for index in 1...3 { try lab.addHost("n\(index)", number: 10 + index) }
        let tracker = try await TrackerProcess(stateDirectory: directory.file("tracker"), host: "0.0.0.0", port: 7070,
                                               wrapper: lab.run(on: "t"))
        var nodes: [NodeProcess] = []
        for index in 1...3 {
            let arguments = ["--listen", "0.0.0.0:7101", "--tracker", "10.201.0.1:7070", "--mine", "--mining-threads", "1",
                             "--hash-rate-limit", "4000"]
            nodes.append(try await NodeProcess(dataDirectory: directory.file("node\(index)"), arguments: arguments,
                                               wrapper: lab.run(on: "n\(index)")))
        }
        try await waitUntilConnected(nodes, peers: 2, seconds: 120)
        // Each peer is known by its host's own address: never 0.0.0.0, never loopback.
        for (index, node) in nodes.enumerated() {
            let client = try await node.client()
            let peers = try await client.peers().peers
            await client.close()
            let hosts = Set(peers.map { ($0.listening ?? $0.address).split(separator: ":").first.map(String.init) ?? "" })
            let others = Set((1...3).filter { $0 != index + 1 }.map { "10.201.0.\(10 + $0)" })
            #expect(hosts == others, "node \(index + 1) has peers \(peers.map(\.address))")
        }

        // Host 3 is cut off; both sides take a put and mine on apart.
        try lab.setLink("n3", up: false)
        var puts: [(String, String)] = []
        for (side, node) in [("main", nodes[0]), ("cut", nodes[2])] {
            let client = try await node.client()
            let receipt = try await client.put(key: "side/\(side)", value: Array(side.utf8), signer: .node)
            guard case .confirmed = await receipt.outcome else { Issue.record("put on the \(side) side not confirmed"); return }
            puts.append(("side/\(side)", receipt.txid.hex))
            await client.close()
        }
        try await eventually("the two sides to hold different chains") {
            let (main, cut) = (try await nodes[0].status(), try await nodes[2].status())
            return main.tip != cut.tip
        }

        try lab.setLink("n3", up: true)
        for (key, txid) in puts { try await waitUntilEveryNode(nodes, has: key, txids: [txid], seconds: 180) }
        try await eventually("one chain on every host", seconds: 120) {
            var tips: Set<String> = []
            for node in nodes { tips.insert(try await node.status().tip) }
            return tips.count == 1
        }
        for node in nodes { try await node.stop() }
        try await tracker.stop()
    }
}
