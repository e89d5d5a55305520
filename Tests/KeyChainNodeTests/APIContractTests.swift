import Foundation
import KeyChainAPI
import KeyChainCore
import KeyChainTestProcesses
import KeyChainTestSupport
import Testing

/// The client API as docs/PROTOCOL.md §8 states it, checked over a raw socket as a client
/// written from that document alone would see it.
@Suite(.serialized) struct APIContractTests {
    static func request(_ id: Int, _ method: String, _ params: String) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":\#(params)}"#
    }

    static func result(_ reply: [String: Any]) -> [String: Any]? { reply["result"] as? [String: Any] }
    static func error(_ reply: [String: Any]) -> [String: Any]? { reply["error"] as? [String: Any] }

    /// Bytes that are not a transaction: each is refused as -32010 (§8.2), with its reason.
    static func malformed(_ valid: [UInt8]) -> [(String, [UInt8])] {
        var unknownFormat = valid
        unknownFormat[0] = 2
        var badFlag = valid
        badFlag[valid.count - 64 - 1] = 7  // the expected-version flag of a put without one
        let emptyKey = [UInt8(1), 0] + valid[(2 + Int(valid[1]))...]
        var notUTF8 = valid
        notUTF8[2] = 0xFF
        return [("trailing bytes", valid + [0]), ("truncated", Array(valid.dropLast())), ("unknown format", unknownFormat),
                ("unknown flag", badFlag), ("empty key", emptyKey), ("key not UTF-8", notUTF8)]
    }

    @Test func methodsAnswerAsDocumented() async throws {
        let directory = try TemporaryDirectory()
        let node = try await NodeProcess(dataDirectory: directory.file("node"))
        let connection = try RawConnection(path: node.socketPath)
        let author = try TestNetwork.identity(4)

        // The dev network's parameters (§5): kept in network.params, named and hashed as stated.
        let status = try #require(Self.result(try { try connection.send(Self.request(1, "status", "{}")); return try connection.readReply() }()))
        let stored = try String(contentsOfFile: directory.file("node/network.params"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let parameters = try NetworkParameters(decoding: try #require(Hex.decode(stored)))
        #expect(parameters.name == "keychain-dev")
        #expect(parameters.difficultyBits == 12)
        #expect(parameters.blockIntervalMilliseconds == 1_000)
        #expect(status["genesis"] as? String == parameters.genesisHash.hex)
        #expect(status["network"] as? String == "keychain-dev")

        // subscribe to a txid and to tips; then the put's notifications arrive on this connection.
        let put = try TestNetwork.put("sub/k", "v", by: author)
        try connection.send(Self.request(2, "subscribe", #"{"txids":["\#(put.id.hex)"],"tips":true}"#))
        #expect(Self.result(try connection.readReply())?["tips"] as? Bool == true)
        try connection.send(Self.request(3, "submit", #"{"tx":"\#(Hex.encode(put.encoded))"}"#))
        var sawTip = false, sawConfirmed = false, replied = false
        var seen: [[String: Any]] = []
        for _ in 0..<20 where !(sawTip && sawConfirmed && replied) {
            let line: [String: Any]
            do { line = try connection.readReply() } catch { throw ProcessFailure(description: "after \(seen): \(error)") }
            seen.append(line)
            if line["id"] as? Int == 3 { replied = true; continue }
            let params = line["params"] as? [String: Any]
            if line["method"] as? String == "tip" { sawTip = (params?["height"] as? Int ?? 0) >= 1 }
            if line["method"] as? String == "tx", params?["status"] as? String == "confirmed" { sawConfirmed = params?["txid"] as? String == put.id.hex }
        }
        #expect(sawTip && sawConfirmed && replied)

        // tx and block of the confirmed put; the block carries its header version (§8.4).
        try connection.send(Self.request(4, "wait", #"{"txid":"\#(put.id.hex)"}"#))
        let confirmed = try #require(Self.result(try Self.reply(to: 4, on: connection)))
        let height = try #require(confirmed["height"] as? Int)
        try connection.send(Self.request(5, "tx", #"{"txid":"\#(put.id.hex)"}"#))
        #expect(Self.result(try Self.reply(to: 5, on: connection))?["status"] as? String == "confirmed")
        try connection.send(Self.request(6, "block", #"{"height":\#(height)}"#))
        let block = try #require(Self.result(try Self.reply(to: 6, on: connection)))
        #expect(block["version"] as? Int == 1)
        #expect(block["hash"] as? String == confirmed["block"] as? String)
        #expect((block["transactions"] as? [[String: Any]])?.contains { $0["txid"] as? String == put.id.hex } == true)
        try connection.send(Self.request(7, "block", #"{"hash":"\#(try #require(confirmed["block"] as? String))"}"#))
        #expect(Self.result(try Self.reply(to: 7, on: connection))?["height"] as? Int == height)

        // keys, paged.
        let batch = try (0..<5).map { try TestNetwork.put("page/\($0)", "v", by: author) }
        try connection.send(Self.request(8, "submit_batch", #"{"txs":[\#(batch.map { "\"\(Hex.encode($0.encoded))\"" }.joined(separator: ","))]}"#))
        _ = try Self.reply(to: 8, on: connection)
        try connection.send(Self.request(9, "wait_all", #"{"txids":[\#(batch.map { "\"\($0.id.hex)\"" }.joined(separator: ","))]}"#))
        _ = try Self.reply(to: 9, on: connection)
        var listed: [String] = []
        var after: String?
        for page in 0..<5 {
            let afterField = after.map { #","after":"\#($0)""# } ?? ""
            try connection.send(Self.request(10 + page, "keys", #"{"prefix":"page/","limit":2\#(afterField)}"#))
            let result = try #require(Self.result(try Self.reply(to: 10 + page, on: connection)))
            listed += result["keys"] as? [String] ?? []
            after = result["next"] as? String
            if after == nil { break }
        }
        #expect(listed == (0..<5).map { "page/\($0)" })

        // A conflict's versions are integers; a refused submit is remembered by tx and wait.
        let stale = try TestNetwork.put("page/0", "again", by: author, expectedVersion: 0)
        try connection.send(Self.request(20, "submit", #"{"tx":"\#(Hex.encode(stale.encoded))"}"#))
        let conflict = try #require(Self.error(try Self.reply(to: 20, on: connection)))
        #expect(conflict["code"] as? Int == RPCErrorCode.conflict.rawValue)
        let data = try #require(conflict["data"] as? [String: Any])
        let expected = data["expected"] as? Int, actual = data["actual"] as? Int, key = data["key"] as? String
        #expect(expected == 0)
        #expect(actual == 1)
        #expect(key == "page/0")
        try connection.send(Self.request(21, "tx", #"{"txid":"\#(stale.id.hex)"}"#))
        let remembered = try #require(Self.result(try Self.reply(to: 21, on: connection)))
        let rememberedStatus = remembered["status"] as? String, rememberedCode = remembered["code"] as? Int
        #expect(rememberedStatus == "rejected")
        #expect(rememberedCode == RPCErrorCode.conflict.rawValue)
        try connection.send(Self.request(22, "wait", #"{"txid":"\#(stale.id.hex)"}"#))
        #expect(Self.error(try Self.reply(to: 22, on: connection))?["code"] as? Int == RPCErrorCode.conflict.rawValue)

        // wait_all never fails for one transaction's sake: an unknown txid is a rejected status.
        let unknown = String(repeating: "cd", count: 32)
        try connection.send(Self.request(23, "wait_all", #"{"txids":["\#(put.id.hex)","\#(unknown)"]}"#))
        let statuses = try #require(Self.result(try Self.reply(to: 23, on: connection))?["statuses"] as? [[String: Any]])
        #expect(statuses.map { $0["status"] as? String } == ["confirmed", "rejected"])
        #expect(statuses.last?["code"] as? Int == RPCErrorCode.transactionNotFound.rawValue)

        // Malformed transaction bytes: -32010 in submit, and per entry in submit_batch.
        let valid = try TestNetwork.put("bytes/k", "v", by: author).encoded
        let expectedSize: Int = 119  // format, key length, "bytes/k", value length, "v", author, nonce, flag, signature
        #expect(valid.count == expectedSize)
        for (index, (what, bytes)) in Self.malformed(valid).enumerated() {
            try connection.send(Self.request(30 + index, "submit", #"{"tx":"\#(Hex.encode(bytes))"}"#))
            let refused = Self.error(try Self.reply(to: 30 + index, on: connection))
            #expect(refused?["code"] as? Int == RPCErrorCode.rejected.rawValue, "\(what): \(String(describing: refused))")
            #expect((refused?["message"] as? String)?.contains("canonically encoded") == true, "\(what)")
        }
        let hexes = Self.malformed(valid).map { "\"\(Hex.encode($0.1))\"" }.joined(separator: ",")
        try connection.send(Self.request(40, "submit_batch", #"{"txs":[\#(hexes)]}"#))
        let entries = try #require(Self.result(try Self.reply(to: 40, on: connection))?["results"] as? [[String: Any]])
        #expect(entries.count == Self.malformed(valid).count)
        #expect(entries.allSatisfy { ($0["error"] as? [String: Any])?["code"] as? Int == RPCErrorCode.rejected.rawValue }, "\(entries)")
        #expect(try await node.stop() == 0)
    }

    /// The next reply with `id`, passing over notifications.
    static func reply(to id: Int, on connection: RawConnection) throws -> [String: Any] {
        for _ in 0..<100 {
            let line: [String: Any]
            do { line = try connection.readReply() } catch { throw ProcessFailure(description: "waiting for the reply to request \(id): \(error)") }
            if line["id"] as? Int == id { return line }
        }
        throw ProcessFailure(description: "no reply to request \(id)")
    }
}
