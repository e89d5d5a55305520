import Foundation
import KeyChainClient
import KeyChainTestProcesses
import KeyChainTestSupport
import Testing

/// Clients on the socket that misbehave: too many of them, one that never reads its replies,
/// one that sends a byte at a time, deeply nested and oversized JSON. Each is bounded, and a
/// client already connected is served throughout.
@Suite(.serialized) struct HostileClientTests {
    /// Beyond `--max-clients`, a connection gets one error line naming the limit and is closed;
    /// the clients already in are served, and once the flood leaves new clients are served again.
    @Test func connectionsBeyondTheLimitAreToldAndClosed() async throws {
        let directory = try TemporaryDirectory()
        let node = try await NodeProcess(dataDirectory: directory.file("node"), arguments: ["--dev", "--max-clients", "100"])
        let honest = try await node.client()
        var flood: [RawConnection] = []
        for _ in 0..<2_000 { flood.append(try RawConnection(path: node.socketPath)) }
        _ = try await honest.status()
        var refused = 0
        for connection in flood.suffix(100) {
            let reply = try connection.readReply()
            let error = reply["error"] as? [String: Any]
            if error?["code"] as? Int == -32030, (error?["message"] as? String)?.contains("at most 100") == true { refused += 1 }
        }
        #expect(refused == 100, "connections past the limit were not told")
        #expect(try await honest.status().clients ?? 0 <= 100)
        flood.removeAll()
        try await eventually("room for new clients") {
            let client = try await node.client()
            defer { Task { await client.close() } }
            return (try? await client.status()) != nil
        }
        await honest.close()
        try await node.stop()
    }

    /// A client that pipelines requests and never reads the replies stops being read once a
    /// megabyte of replies waits for it: its writes block, the node's memory stays put, and
    /// another client is served meanwhile.
    @Test func aClientThatNeverReadsIsNotReadEither() async throws {
        let directory = try TemporaryDirectory()
        let node = try await NodeProcess(dataDirectory: directory.file("node"))
        let honest = try await node.client()
        let before = try Self.residentBytes(node.pid)
        let greedy = try RawConnection(path: node.socketPath)
        let (sent, blocked) = Self.pipelineStatus(on: greedy, upTo: 200 << 20)
        #expect(blocked, "the node read \(sent) bytes of requests whose replies nobody reads")
        let after = try Self.residentBytes(node.pid)
        #expect(after - before < 256 << 20, "the node grew by \((after - before) >> 20) MB for one client that does not read")
        _ = try await honest.status()
        print("hostile client: a client that never reads was stopped after \(sent >> 10) KB of requests; the node grew \((after - before) >> 20) MB")
        await honest.close()
        try await node.stop()
    }

    /// A `wait` that will not be answered for an hour, then reads pipelined behind it: their
    /// replies must leave after the wait's, so they are held, and the connection is read no
    /// further once 1,024 requests are unanswered. Without that bound the node went on reading
    /// (and holding a reply for each) for as long as the client wrote.
    @Test func aLongWaitThenPipelinedReadsStopsBeingRead() async throws {
        let directory = try TemporaryDirectory()
        let node = try await NodeProcess(dataDirectory: directory.file("node"))
        let honest = try await node.client()
        let receipt = try await honest.put(key: "held/k", value: Array("v".utf8))
        let greedy = try RawConnection(path: node.socketPath)
        try greedy.send(#"{"jsonrpc":"2.0","id":0,"method":"wait","params":{"txid":"\#(receipt.txid.hex)","depth":1000000,"timeoutMs":3600000}}"#)
        let (sent, blocked) = Self.pipelineStatus(on: greedy, upTo: 32 << 20)
        #expect(blocked, "the node read \(sent) bytes of requests held behind a wait")
        #expect(sent < 16 << 20, "the node read \(sent >> 10) KB of requests held behind a wait")
        _ = try await honest.status()
        print("hostile client: reads behind an hour's wait were stopped after \(sent >> 10) KB of requests")
        await honest.close()
        try await node.stop()
    }

    /// A request a byte at a time, a request nested 100,000 deep, a value past the size limit
    /// and a line past the request limit: each answered (the slow one with its result, the rest
    /// with an error), and the connection goes on.
    @Test func slowNestedAndOversizedRequestsAreAnswered() async throws {
        let directory = try TemporaryDirectory()
        let node = try await NodeProcess(dataDirectory: directory.file("node"))
        let honest = try await node.client()
        let connection = try RawConnection(path: node.socketPath)

        let slow = Array(#"{"jsonrpc":"2.0","id":1,"method":"status"}"#.utf8) + [10]
        for byte in slow {
            try connection.send([byte])
            try await Task.sleep(for: .milliseconds(5))
            _ = try await honest.status()
        }
        #expect(try connection.readReply()["result"] != nil)

        let depth = 100_000
        let nested = #"{"jsonrpc":"2.0","id":2,"method":"get","params":{"key":"#
            + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}}"
        try connection.send(nested)
        let deep = try connection.readReply()
        // Past the decoder's depth limit the line is not JSON it can read: a parse error, id null.
        #expect((deep["error"] as? [String: Any])?["code"] as? Int == -32700, "\(deep)")

        let bigValue = #"{"jsonrpc":"2.0","id":3,"method":"put","params":{"key":"big","value":""# + String(repeating: "v", count: 200_000) + #""}}"#
        try connection.send(bigValue)
        let big = try connection.readReply()
        #expect(big["error"] != nil && big["id"] as? Int == 3, "\(big)")

        let overLimit = #"{"jsonrpc":"2.0","id":4,"method":"get","params":{"key":""# + String(repeating: "k", count: 9 << 20) + #""}}"#
        try connection.send(overLimit)
        let tooLong = try connection.readReply()
        #expect((tooLong["error"] as? [String: Any])?["code"] as? Int == -32600, "\(tooLong)")

        try connection.send(#"{"jsonrpc":"2.0","id":5,"method":"status"}"#)
        #expect(try connection.readReply()["id"] as? Int == 5)
        #expect(node.isRunning)
        await honest.close()
        try await node.stop()
    }

    /// The resident set of a process, from /proc.
    /// Pipelines `status` requests, reading no reply, until `limit` bytes are sent or a send
    /// blocks for 3 s (the node stopped reading); returns the bytes sent and whether it blocked.
    static func pipelineStatus(on connection: RawConnection, upTo limit: Int) -> (sent: Int, blocked: Bool) {
        connection.sendTimeout(seconds: 3)
        let request = Array(#"{"jsonrpc":"2.0","id":1,"method":"status"}"#.utf8) + [10]
        let batch = Array([[UInt8]](repeating: request, count: 1_000).joined())
        var sent = 0
        while sent < limit {
            do { try connection.send(batch) } catch { return (sent, true) }
            sent += batch.count
        }
        return (sent, false)
    }

    static func residentBytes(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else {
            throw ProcessFailure(description: "no VmRSS for \(pid)")
        }
        return kilobytes << 10
    }
}
