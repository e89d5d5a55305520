import Foundation
import KeyChainAPI
import KeyChainClient
import KeyChainCore
import KeyChainTestProcesses
import KeyChainTestSupport
import KeyChainWire
import NIOCore
import NIOPosix
import Testing

/// Bad input on the network's ports, against real processes: the offender is cut off, and the
/// node or tracker goes on serving everyone else.
@Suite(.serialized) struct NetworkBadInputTests {
    /// Garbage, an oversize frame, a truncated frame, a frame failing its checksum, a handshake
    /// of another network and an HTTP request on the peer port: each connection is closed, and the node keeps its peer
    /// and its clients.
    @Test func hostileBytesOnThePeerPortCloseThatConnectionOnly() async throws {
        let directory = try TemporaryDirectory()
        let tracker = try await TrackerProcess(stateDirectory: directory.file("tracker"))
        let target = try NetworkNodeOptions(trackers: [tracker.address])
        let node = try await NodeProcess(dataDirectory: directory.file("node1"), network: target)
        let other = try await NodeProcess(dataDirectory: directory.file("node2"), network: NetworkNodeOptions(trackers: [tracker.address]))
        try await waitUntilConnected([node, other], peers: 1)
        let genesis = try #require(Hash256(hex: try await node.status().genesis))
        let magic = Frame.magic(for: genesis)

        var oversize = Frame.encode(.ping(PingMessage(nonce: 1)), magic: magic)
        oversize.replaceSubrange(16..<20, with: [0xFF, 0xFF, 0xFF, 0x7F])  // length: 2 GB
        let truncated = Array(Frame.encode(.ping(PingMessage(nonce: 2)), magic: magic).prefix(28))
        // A sound header over a payload that fails its checksum: found where frames are opened,
        // on the peer's inbox, after the header passed on the event loop.
        var corrupt = Frame.encode(.ping(PingMessage(nonce: 3)), magic: magic)
        corrupt[Frame.headerSize] ^= 0xFF
        let stranger = VersionMessage(genesis: Hash256(sha256d: Array("another network".utf8)), bestHeight: 0, listenPort: 0,
                                      nodeID: 42, timestamp: 0)
        let cases: [(String, [UInt8], halfClose: Bool)] = [
            ("garbage", (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37) }, false),
            ("an oversize frame", oversize, false),
            ("a truncated frame", truncated, true),
            ("a frame failing its checksum", corrupt, false),
            ("another network's handshake", Frame.encode(.version(stranger), magic: magic), false),
            ("an HTTP request", Array("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8), false),
        ]
        for (name, bytes, halfClose) in cases {
            let connection = try TCPConnection(port: target.peerPort)
            connection.send(bytes)
            if halfClose { connection.shutdownWriting() }
            let (answer, closed) = await connection.readUntilClosed()
            #expect(closed, "the node did not close the connection that sent \(name)")
            if name == "another network's handshake" {
                // Told why before being cut off: a `reject` naming this node's network.
                #expect(String(decoding: answer, as: UTF8.self).contains(genesis.short), "\(answer.count) bytes")
            }
        }
        #expect(node.log.contains("another network"), "\(node.log)")
        #expect(node.log.contains("exceeds"), "the oversize frame is not in the log: \(node.log)")
        #expect(node.log.contains("fails its checksum"), "the corrupt frame is not in the log: \(node.log)")
        #expect(node.isRunning)

        // The honest peer and the clients never noticed.
        #expect(try await node.status().peers >= 1)
        let client = try await other.client()
        let receipt = try await client.put(key: "still/serving", value: Array("yes".utf8), signer: .node)
        guard case .confirmed = await receipt.outcome else { Issue.record("put not confirmed"); return }
        await client.close()
        try await waitUntilEveryNode([node, other], has: "still/serving", txids: [receipt.txid.hex])
        for process in [node, other] { try await process.stop() }
        try await tracker.stop()
    }

    /// Malformed, oversize, incomplete and wrong-network requests to the tracker get a 4xx with
    /// a reason, and the tracker keeps serving.
    @Test func badTrackerRequestsGetAReasonAndTheTrackerServesOn() async throws {
        let directory = try TemporaryDirectory()
        let tracker = try await TrackerProcess(stateDirectory: directory.file("tracker"))
        let port = tracker.port
        func post(_ body: String, length: Int? = nil) async throws -> (status: Int, body: String) {
            try await TCPConnection(port: port).http("POST /announce HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: \(length ?? body.utf8.count)\r\n\r\n\(body)")
        }
        let network = try await httpGet(port, "/network")
        #expect(network.status == 200)
        let genesis = try #require((try JSONSerialization.jsonObject(with: Data(network.body.utf8)) as? [String: Any])?["genesis"] as? String)

        let notJSON = try await post("{not json")
        #expect(notJSON.status == 400 && notJSON.body.contains("not an announcement"), "\(notJSON)")
        let missing = try await post(#"{"genesis":"\#(genesis)","port":7101}"#)
        #expect(missing.status == 400 && missing.body.contains("node"), "\(missing)")
        let zeroPort = try await post(#"{"node":"01","genesis":"\#(genesis)","port":0}"#)
        #expect(zeroPort.status == 400, "\(zeroPort)")
        let oversize = try await post(String(repeating: " ", count: 20_000))
        #expect(oversize.status == 400 && oversize.body.contains("bytes"), "\(oversize)")
        let wrongNetwork = try await post(#"{"node":"01","genesis":"\#(String(repeating: "ab", count: 32))","port":7101}"#)
        #expect(wrongNetwork.status == 409 && wrongNetwork.body.contains(genesis), "\(wrongNetwork)")
        let unspecified = try await post(#"{"node":"01","genesis":"\#(genesis)","port":7101,"advertise":"0.0.0.0"}"#)
        #expect(unspecified.status == 400, "\(unspecified)")
        let badCount = try await httpGet(port, "/peers?n=lots")
        #expect(badCount.status == 400 && badCount.body.contains("n must be"), "\(badCount)")
        #expect(try await httpGet(port, "/nowhere").status == 404)
        let garbage = try await TCPConnection(port: port).http("\u{1}\u{2}\u{3} nonsense\r\n\r\n")
        #expect(garbage.status == 400, "\(garbage)")
        // Incomplete: a body that never comes is answered once the request times out.
        let incomplete = try await TCPConnection(port: port, timeoutSeconds: 30)
            .http("POST /announce HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"node\":")
        #expect(incomplete.status == 400 && incomplete.body.contains("not complete"), "\(incomplete)")

        let good = try await post(#"{"node":"0a","genesis":"\#(genesis)","port":7101}"#)
        #expect(good.status == 200 && good.body.contains("\"recordedAs\":\"127.0.0.1:7101\""), "\(good)")
        let health = try await httpGet(port, "/health")
        #expect(health.status == 200 && health.body.contains("\"peers\":1"), "\(health)")
        let metrics = try await httpGet(port, "/metrics")
        #expect(metrics.body.contains("keychain_tracker_announcements_total"), "\(metrics.body)")
        try await tracker.stop()
    }

    /// A tracker that answers garbage, one of another network and one that never answers do
    /// not stop a node that has peers: puts still flow, and the log names both networks.
    @Test func badTrackersNeverStopANodeWithPeers() async throws {
        let directory = try TemporaryDirectory()
        let tracker = try await TrackerProcess(stateDirectory: directory.file("tracker"))
        let honest = try NetworkNodeOptions(trackers: [tracker.address])
        let one = try await NodeProcess(dataDirectory: directory.file("node1"), network: honest)

        let foreign = try await TrackerProcess(stateDirectory: directory.file("foreign"), arguments: ["--difficulty", "13"])
        let garbage = try await GarbageServer()
        let silent = try SilentListener()
        let options = try NetworkNodeOptions(
            trackers: ["127.0.0.1:\(garbage.port)", foreign.address, "127.0.0.1:\(silent.port)"], peers: [honest.peerAddress],
            extra: ["--genesis", directory.file("node1/network.params")])
        let two = try await NodeProcess(dataDirectory: directory.file("node2"), network: options)
        try await waitUntilConnected([one, two], peers: 1)

        let client = try await two.client()
        let receipt = try await client.put(key: "despite/trackers", value: Array("fine".utf8), signer: .node)
        guard case .confirmed = await receipt.outcome else { Issue.record("put not confirmed"); return }
        await client.close()
        try await waitUntilEveryNode([one, two], has: "despite/trackers", txids: [receipt.txid.hex])
        let ours = try await one.status().genesis
        let theirs = try #require((try JSONSerialization.jsonObject(with: Data(try await httpGet(foreign.port, "/network").body.utf8)) as? [String: Any])?["genesis"] as? String)
        try await eventually("the wrong-network tracker to be named in the log") {
            two.log.contains(ours) && two.log.contains(theirs)
        }
        #expect(two.isRunning)
        for node in [one, two] { try await node.stop() }
        try await tracker.stop()
        try await foreign.stop()
        await garbage.close()
    }
}

/// A server on 127.0.0.1 that answers every connection with bytes that are not HTTP.
final class GarbageServer: Sendable {
    let port: Int
    private let channel: Channel

    init() async throws {
        port = try freePort()
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(GarbageHandler()) }
            }
            .bind(host: "127.0.0.1", port: port).get()
    }

    func close() async { try? await channel.close() }
}

private final class GarbageHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "\u{0}\u{7}garbage, not HTTP at all\r\n\r\n"))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}

/// A port that takes connections (the kernel completes them) and never answers.
final class SilentListener {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0 && listen(descriptor, 64) == 0
            }
        }
        guard bound else { throw ProcessFailure(description: "cannot listen: \(String(cString: strerror(errno)))") }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}
