import Foundation
import KeyChainAPI
import KeyChainCore
import KeyChainTestProcesses
import KeyChainTestSupport
import Testing

/// Requests pipelined on one connection take effect in order (docs/ARCHITECTURE.md §8): each sees the
/// effects of every request before it, as a Redis client expects. Each pair is written in one
/// `write`, so the node reads both before it has answered either.
@Suite(.serialized) struct PipelineTests {
    static let rounds = 1_000

    static func submitLine(_ id: Int, _ transaction: Transaction) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"submit","params":{"tx":"\#(Hex.encode(transaction.encoded))"}}"#
    }

    static func pair(_ first: String, _ second: String) -> [UInt8] { Array((first + "\n" + second + "\n").utf8) }

    @Test func dependentRequestsPipelinedOnOneConnectionNeverFail() async throws {
        let directory = try TemporaryDirectory()
        let node = try await NodeProcess(dataDirectory: directory.file("node"))
        let connection = try RawConnection(path: node.socketPath)
        let author = try TestNetwork.identity(3)
        var failures: [String] = []
        do {

        // submit, then tx of the same txid.
        for round in 0..<Self.rounds {
            let put = try TestNetwork.put("tx/\(round)", "v", by: author)
            let tx = #"{"jsonrpc":"2.0","id":2,"method":"tx","params":{"txid":"\#(put.id.hex)"}}"#
            try connection.send(Self.pair(Self.submitLine(1, put), tx))
            let (submitted, status) = (try connection.readReply(), try connection.readReply())
            let state = (status["result"] as? [String: Any])?["status"] as? String
            if submitted["result"] == nil || !(state == "pending" || state == "confirmed") {
                failures.append("submit then tx, round \(round): \(submitted) \(status)")
            }
        }
        // submit, then wait for it.
        for round in 0..<Self.rounds {
            let put = try TestNetwork.put("wait/\(round)", "v", by: author)
            let wait = #"{"jsonrpc":"2.0","id":2,"method":"wait","params":{"txid":"\#(put.id.hex)","timeoutMs":60000}}"#
            try connection.send(Self.pair(Self.submitLine(1, put), wait))
            let (submitted, waited) = (try connection.readReply(), try connection.readReply())
            if submitted["result"] == nil || (waited["result"] as? [String: Any])?["status"] as? String != "confirmed" {
                failures.append("submit then wait, round \(round): \(submitted) \(waited)")
            }
        }
        // A put, then the compare-and-set put on its next version.
        for round in 0..<Self.rounds {
            let first = try TestNetwork.put("cas/\(round)", "v0", by: author, expectedVersion: 0)
            let second = try TestNetwork.put("cas/\(round)", "v1", by: author, expectedVersion: 1)
            try connection.send(Self.pair(Self.submitLine(1, first), Self.submitLine(2, second)))
            let (a, b) = (try connection.readReply(), try connection.readReply())
            if a["result"] == nil || b["result"] == nil { failures.append("put then compare-and-set, round \(round): \(a) \(b)") }
        }
        } catch {
            Issue.record("\(error); the node's log: \(node.log)")
            return
        }
        let failed = failures.count  // the count alone in the expectation: the list can be long
        #expect(failed == 0, "\(failed) of \(3 * Self.rounds) failed; first: \(failures.prefix(3))")
        // Every compare-and-set pair ended with two versions.
        let client = try await node.client()
        let last = try await client.call("wait", WaitParams(txid: try TestNetwork.put("cas/\(Self.rounds - 1)", "v1", by: author, expectedVersion: 1).id.hex),
                                         as: TxStatusResult.self)
        #expect(last.status == .confirmed)
        #expect(try await client.retrieveAll("cas/0").map(\.value) == ["v0", "v1"])
        await client.close()
        #expect(try await node.stop() == 0)
    }
}
