import Foundation
import KeyChainAPI
import KeyChainClient
import KeyChainCore
import KeyChainTestProcesses
import KeyChainTestSupport
import Testing

/// Malformed requests each get a JSON-RPC error with a usable message, and the connection and
/// the node keep working; start-up problems get a clear message and a non-zero exit.
@Suite(.serialized) struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let line: String
        let code: RPCErrorCode
        let message: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        .init(name: "not JSON", line: "{not json", code: .parseError, message: "not valid JSON"),
        .init(name: "not an object", line: "[1,2]", code: .invalidRequest, message: "one JSON object per line"),
        .init(name: "wrong version", line: #"{"jsonrpc":"1.0","id":1,"method":"status"}"#, code: .invalidRequest, message: "\"2.0\""),
        .init(name: "unknown method", line: #"{"jsonrpc":"2.0","id":1,"method":"delete"}"#, code: .methodNotFound, message: "the methods are"),
        .init(name: "missing field", line: #"{"jsonrpc":"2.0","id":1,"method":"get","params":{}}"#, code: .invalidParams, message: "missing field 'params.key'"),
        .init(name: "wrong type", line: #"{"jsonrpc":"2.0","id":1,"method":"get","params":{"key":5}}"#, code: .invalidParams, message: "must be a string"),
        .init(name: "oversize key", line: #"{"jsonrpc":"2.0","id":1,"method":"put","params":{"key":"\#(String(repeating: "k", count: 256))","value":"v"}}"#,
              code: .invalidParams, message: "1-255 bytes of UTF-8, not 256"),
        .init(name: "oversize value", line: #"{"jsonrpc":"2.0","id":1,"method":"put","params":{"key":"k","value":"\#(String(repeating: "v", count: 70_000))"}}"#,
              code: .rejected, message: "at most 65536"),
        .init(name: "bad base64", line: #"{"jsonrpc":"2.0","id":1,"method":"put","params":{"key":"k","value":"@@","encoding":"base64"}}"#,
              code: .invalidParams, message: "base64"),
        .init(name: "garbage transaction", line: #"{"jsonrpc":"2.0","id":1,"method":"submit","params":{"tx":"0102"}}"#,
              code: .rejected, message: "canonically encoded"),
        .init(name: "transaction not hex", line: #"{"jsonrpc":"2.0","id":1,"method":"submit","params":{"tx":"zz"}}"#,
              code: .invalidParams, message: "hex"),
        .init(name: "params not an object", line: #"{"jsonrpc":"2.0","id":1,"method":"get","params":[1]}"#,
              code: .invalidParams, message: "'params' must be an object"),
        .init(name: "empty key in get", line: #"{"jsonrpc":"2.0","id":1,"method":"get","params":{"key":""}}"#,
              code: .invalidParams, message: "not empty"),
        .init(name: "over-long key in history", line: #"{"jsonrpc":"2.0","id":1,"method":"history","params":{"key":"\#(String(repeating: "k", count: 256))"}}"#,
              code: .invalidParams, message: "not 256"),
        .init(name: "unknown txid", line: #"{"jsonrpc":"2.0","id":1,"method":"tx","params":{"txid":"\#(String(repeating: "ab", count: 32))"}}"#,
              code: .transactionNotFound, message: "not known"),
        .init(name: "unknown block", line: #"{"jsonrpc":"2.0","id":1,"method":"block","params":{"height":99999}}"#,
              code: .blockNotFound, message: "no stored block"),
    ]

    @Test func everyMalformedRequestGetsAnErrorAndTheConnectionLives() async throws {
        let directory = try TemporaryDirectory()
        let node = try await NodeProcess(dataDirectory: directory.file("node"))
        let connection = try RawConnection(path: node.socketPath)
        for test in Self.cases {
            try connection.send(test.line)
            let reply = try connection.readReply()
            let error = reply["error"] as? [String: Any]
            #expect(error?["code"] as? Int == test.code.rawValue, "\(test.name): \(reply)")
            #expect((error?["message"] as? String)?.contains(test.message) == true, "\(test.name): \(reply)")
            #expect((error?["message"] as? String)?.contains("Swift.") != true && (error?["message"] as? String)?.contains("<") != true,
                    "\(test.name): a Swift type name in \(reply)")
        }
        // A request over the 8 MiB line limit, then a good one on the same connection.
        try connection.send(Array(#"{"jsonrpc":"2.0","id":1,"method":"get","params":{"key":""#.utf8) + [UInt8](repeating: 0x61, count: 9 << 20) + Array("\"}}\n".utf8))
        let tooLong = try connection.readReply()
        #expect((tooLong["error"] as? [String: Any])?["code"] as? Int == RPCErrorCode.invalidRequest.rawValue)
        try connection.send(#"{"jsonrpc":"2.0","id":42,"method":"status"}"#)
        let status = try connection.readReply()
        #expect(status["id"] as? Int == 42)
        #expect(status["result"] != nil)

        // A forged signature through the client library.
        let client = try await node.client()
        let put = try TestNetwork.put("k", "v", by: TestNetwork.identity(1))
        do {
            _ = try await client.submit(put.withSignature(try TestNetwork.identity(2).sign(put.id.bytes)))
            Issue.record("a forged signature was accepted")
        } catch let error as KeyChainClientError {
            #expect(error.code == .rejected)
        }
        // A client that disconnects mid-request does not hurt the node: once the node has seen
        // it go, it still answers, at the same height.
        try await eventually("the raw connection and the client alone to be open") { try await client.status().clients == 2 }
        let before = try await client.status()
        let quitter = try RawConnection(path: node.socketPath)
        try await eventually("the node to count the quitter") { try await client.status().clients == 3 }
        try quitter.send(Array(#"{"jsonrpc":"2.0","id":1,"method":"wait","params":{"txid":"#.utf8))
        _ = consume quitter
        try await eventually("the node to see the quitter go") { try await client.status().clients == 2 }
        #expect(try await client.status().height == before.height)
        await client.close()
        try await node.stop()
    }

    @Test func startUpErrorsAreClear() async throws {
        let directory = try TemporaryDirectory()
        let first = try await NodeProcess(dataDirectory: directory.file("node"))
        // The same data directory while the first node runs.
        let second = try await NodeProcess(dataDirectory: directory.file("node"), waitUntilReady: false)
        #expect(try await second.exitStatus() != 0)
        #expect(second.log.contains("in use by another running node"))
        try await first.stop()
        // Another difficulty for an existing network.
        let mismatch = try await NodeProcess(dataDirectory: directory.file("node"), arguments: ["--dev", "--difficulty", "9"], waitUntilReady: false)
        #expect(try await mismatch.exitStatus() != 0)
        #expect(mismatch.log.contains("created with --difficulty 12"))
        // A stale socket file is replaced.
        _ = FileManager.default.createFile(atPath: directory.file("node/keychain.sock"), contents: Data())
        let restarted = try await NodeProcess(dataDirectory: directory.file("node"))
        try await restarted.stop()
    }
}
