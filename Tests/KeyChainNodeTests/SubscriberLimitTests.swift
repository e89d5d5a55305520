import Foundation
import KeyChainCore
import KeyChainOwner
import KeyChainTestProcesses
import Testing

/// A subscriber that never reads its notifications is closed once it leaves more than its
/// limit unread, rather than holding every notification since in the node's memory. In-process:
/// a `--dev` node and its API server on a socket in a temporary directory, with a 64 KB limit.
@Suite struct SubscriberLimitTests {
    @Test func aSubscriberThatDoesNotReadIsClosedAtItsLimit() async throws {
        let api = try await InProcessAPI(wallet: 4, maxClients: 8, maxUnreadNotificationBytes: 64 << 10)
        let (node, socket) = (api.node, api.socket)
        defer { api.server.stop() }

        let puts = try (0..<3_000).map { try node.signPut(key: "sub/\($0)", value: [1], expectedVersion: nil).get() }
        let subscriber = try RawConnection(path: socket)
        let txids = puts.map { "\"\($0.id.hex)\"" }.joined(separator: ",")
        try subscriber.send(#"{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"tips":true,"txids":[\#(txids)]}}"#)
        let reply = try subscriber.readReply()
        #expect((reply["result"] as? [String: Any])?["txids"] as? Int == puts.count, "\(reply)")

        // Each put is accepted and confirmed (two notifications of about 150 bytes each, 900 KB
        // in all), and nobody reads them.
        _ = await withCheckedContinuation { continuation in node.submit(batch: puts) { continuation.resume(returning: $0) } }
        guard case .success = await node.wait(for: puts.map(\.id), depth: 1, timeout: .seconds(60), all: true) else {
            Issue.record("the puts did not confirm")
            await api.stop()
            return
        }
        let (bytes, closed) = subscriber.readUntilClosed()
        #expect(closed, "the subscriber was not closed")
        #expect(bytes < 600_000, "\(bytes) bytes of notifications reached a subscriber that did not read")

        // Another client is served as before.
        let other = try RawConnection(path: socket)
        try other.send(#"{"jsonrpc":"2.0","id":2,"method":"get","params":{"key":"sub/2999"}}"#)
        #expect((try other.readReply()["result"] as? [String: Any])?["value"] != nil)
        await api.stop()
    }
}
