import KeyChainCore
import KeyChainTestProcesses
import Testing

/// `keys` is answered off the event loop (its first listing after the key set changed sorts
/// every key) and still in request order: its reply leaves between those of the requests
/// around it, it lists the confirmed key, and several connections asking at once get the same list.
@Suite struct KeysListingTests {
    @Test func aListingPipelinedBehindWritesSeesThemAndEveryConnectionGetsTheSameList() async throws {
        let api = try await InProcessAPI(wallet: 5)
        let (node, socket) = (api.node, api.socket)
        let put = try node.signPut(key: "listed/first", value: Array("v".utf8), expectedVersion: nil).get()
        let writer = try RawConnection(path: socket)
        // submit and wait for it; then a listing pipelined between another submit and a read.
        try writer.send(#"{"jsonrpc":"2.0","id":1,"method":"submit","params":{"tx":"\#(Hex.encode(put.encoded))"}}"#
            + "\n" + #"{"jsonrpc":"2.0","id":2,"method":"wait","params":{"txid":"\#(put.id.hex)","timeoutMs":30000}}"#)
        for _ in 0..<2 { _ = try writer.readReply() }
        let pending = try node.signPut(key: "listed/pending", value: Array("v".utf8), expectedVersion: nil).get()
        try writer.send(#"{"jsonrpc":"2.0","id":3,"method":"submit","params":{"tx":"\#(Hex.encode(pending.encoded))"}}"#
            + "\n" + #"{"jsonrpc":"2.0","id":4,"method":"keys","params":{"prefix":"listed/"}}"#
            + "\n" + #"{"jsonrpc":"2.0","id":5,"method":"tx","params":{"txid":"\#(pending.id.hex)"}}"#)
        let replies = try (0..<3).map { _ in try writer.readReply() }
        #expect(replies.map { $0["id"] as? Int } == [3, 4, 5])
        #expect(((replies[1]["result"] as? [String: Any])?["keys"] as? [String])?.first == "listed/first", "\(replies[1])")
        #expect((replies[2]["result"] as? [String: Any])?["status"] != nil, "\(replies[2])")

        // More keys, then eight connections list at once: one sort, eight equal answers.
        let more = try (0..<2_000).map { try node.signPut(key: "listed/\($0)", value: [1], expectedVersion: nil).get() }
        _ = await withCheckedContinuation { continuation in node.submit(batch: more) { continuation.resume(returning: $0) } }
        _ = await node.wait(for: more.map(\.id), depth: 1, timeout: .seconds(60), all: true)
        let readers = try (0..<8).map { _ in try RawConnection(path: socket) }
        for reader in readers { try reader.send(#"{"jsonrpc":"2.0","id":4,"method":"keys","params":{"prefix":"listed/","limit":1000}}"#) }
        let lists = try readers.map { try (($0.readReply()["result"] as? [String: Any])?["keys"] as? [String]) ?? [] }
        #expect(lists.allSatisfy { $0 == lists[0] })
        #expect(lists[0].count == 1_000)
        #expect(lists[0].first == "listed/0" && lists[0] == lists[0].sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        await api.stop()
    }
}
