import Foundation
import KeyChainCore
import KeyChainStore
import KeyChainTestProcesses
import KeyChainTestSupport
import Logging
import Testing

@testable import KeyChainOwner
import KeyChainRPC

/// `keys` is answered off the event loop (its first listing after the key set changed sorts
/// every key) and still in request order: pipelined behind a `put` and a `wait` on the same
/// connection, it lists the key they wrote; several connections asking at once get the same list.
@Suite struct KeysListingTests {
    @Test func aListingPipelinedBehindWritesSeesThemAndEveryConnectionGetsTheSameList() async throws {
        let directory = try TemporaryDirectory()
        let node = try Node(parameters: try TestNetwork.parameters(difficultyBits: 4), storage: MemoryBlockStore(),
                            wallet: try TestNetwork.identity(5), configuration: NodeConfiguration(dataDirectory: directory.path, dev: true))
        node.start()
        let socket = directory.file("api.sock")
        let server = APIServer(node: node, path: socket, maxRequestBytes: 1 << 20, maxClients: 16, logger: Logger(label: "test.api"))
        let serving = Task { try await server.run() }
        let deadline = ContinuousClock.now + .seconds(30)
        while !FileManager.default.fileExists(atPath: socket) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }

        let put = try node.signPut(key: "listed/first", value: Array("v".utf8), expectedVersion: nil).get()
        let writer = try RawConnection(path: socket)
        // submit, wait for it, then list: three requests in one write.
        try writer.send(#"{"jsonrpc":"2.0","id":1,"method":"submit","params":{"tx":"\#(Hex.encode(put.encoded))"}}"#
            + "\n" + #"{"jsonrpc":"2.0","id":2,"method":"wait","params":{"txid":"\#(put.id.hex)","timeoutMs":30000}}"#
            + "\n" + #"{"jsonrpc":"2.0","id":3,"method":"keys","params":{"prefix":"listed/"}}"#)
        var replies: [Int: [String: Any]] = [:]
        for _ in 0..<3 {
            let reply = try writer.readReply()
            replies[reply["id"] as? Int ?? -1] = reply
        }
        #expect(((replies[3]?["result"] as? [String: Any])?["keys"] as? [String]) == ["listed/first"], "\(String(describing: replies[3]))")

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
        server.stop()
        _ = try? await serving.value
        await node.shutdown()
    }
}
