import Foundation
import KeyChainAPI
import KeyChainCore
import KeyChainTestProcesses
import KeyChainTestSupport
import Testing

/// `keychain-cli` as a person uses it: every command, global options before or after the
/// subcommand, and each documented exit code.
@Suite(.serialized) struct CLITests {
    static func json(_ text: String) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    }

    @Test func everyCommandAndExitCode() async throws {
        let directory = try TemporaryDirectory()
        let node = try await NodeProcess(dataDirectory: directory.file("node"))
        let identity = directory.file("me.key"), socket = node.socketPath

        // identity: created on first use, the same key afterwards.
        let me = try await runCLI(["identity", "--json"], socket: socket, identity: identity)
        #expect(me.status == 0, "\(me.err)")
        let publicKey = try #require(Self.json(me.out)?["publicKey"] as? String)
        #expect(publicKey.count == 64)
        #expect(try await runCLI(["identity"], socket: socket, identity: identity).out == publicKey)

        // Global options before the subcommand, as keychain-node --help suggests.
        let early = try await runCLI(["--socket", socket, "--json", "put", "a/1", "one"], socket: "/nonexistent", identity: identity)
        #expect(early.status == 0, "\(early.err)")
        let txid = try #require(Self.json(early.out)?["txid"] as? String)
        let earlyEquals = try await runCLI(["--socket=\(socket)", "get", "a/1"], socket: "/nonexistent", identity: identity)
        #expect(earlyEquals.out == "one", "\(earlyEquals.err)")

        // tx of a confirmed put; compare-and-set by --if-version, won and lost.
        let tx = try await runCLI(["tx", txid, "--json"], socket: socket, identity: identity)
        #expect(Self.json(tx.out)?["status"] as? String == "confirmed", "\(tx.out) \(tx.err)")
        #expect(try await runCLI(["put", "a/1", "two", "--if-version", "1"], socket: socket, identity: identity).status == 0)
        let lost = try await runCLI(["put", "a/1", "three", "--if-version", "1"], socket: socket, identity: identity)
        #expect(lost.status == 4)
        #expect(lost.err.contains("expected 1 versions, the key has 2"), "\(lost.err)")

        // --base64 in and out: bytes that are not UTF-8 come back as base64.
        #expect(try await runCLI(["put", "bin", "/wD+", "--base64"], socket: socket, identity: identity).status == 0)
        let binary = try await runCLI(["get", "bin", "--json"], socket: socket, identity: identity)
        #expect(Self.json(binary.out)?["value"] as? String == "/wD+")
        #expect(Self.json(binary.out)?["encoding"] as? String == "base64")

        // JSON-lines import, then keys paged by prefix.
        let lines = directory.file("keys.jsonl")
        try (0..<5).map { #"{"key":"page/\#($0)","value":"v\#($0)"}"# }.joined(separator: "\n").write(toFile: lines, atomically: true, encoding: .utf8)
        let imported = try await runCLI(["import", lines], socket: socket, identity: identity)
        #expect(imported.status == 0, "\(imported.err)")
        let first = try await runCLI(["keys", "page/", "--limit", "2", "--json"], socket: socket, identity: identity)
        #expect(Self.json(first.out)?["keys"] as? [String] == ["page/0", "page/1"])
        #expect(Self.json(first.out)?["next"] as? String == "page/1")
        let rest = try await runCLI(["keys", "page/", "--after", "page/1"], socket: socket, identity: identity)
        #expect(rest.out.split(separator: "\n") == ["page/2", "page/3", "page/4"])

        // status, for a person and as JSON.
        let status = try await runCLI(["status"], socket: socket, identity: identity)
        #expect(status.out.contains("network   keychain-dev"), "\(status.out)")
        #expect((Self.json(try await runCLI(["status", "--json"], socket: socket, identity: identity).out)?["keys"] as? Int) == 7)

        // Exit 2: usage errors, wherever the global options stand.
        for usage in [["put", "onlykey"], ["--socket", socket, "frobnicate"], ["put", "k", "@@", "--base64"], ["tx", "nothex"]] {
            let result = try await runCLI(usage, socket: socket, identity: identity)
            #expect(result.status == 2, "\(usage): \(result.status) \(result.err)")
        }
        // Exit 1: no node there.
        let nowhere = try await runCLI(["get", "a/1"], socket: directory.file("none.sock"), identity: identity)
        #expect(nowhere.status == 1)
        #expect(nowhere.err.contains("is the node running?"))
        #expect(try await node.stop() == 0)

        // Exit 5: a node that does not mine never confirms; `tx` then says pending.
        let idle = try await NodeProcess(dataDirectory: directory.file("idle"), arguments: ["--dev", "--no-mine"])
        let waited = try await runCLI(["put", "slow", "v", "--timeout", "1", "--json"], socket: idle.socketPath, identity: identity)
        #expect(waited.status == 5, "\(waited.err)")
        let pendingTxid = try #require(waited.err.components(separatedBy: "keychain-cli tx ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        let pending = try await runCLI(["tx", pendingTxid], socket: idle.socketPath, identity: identity)
        #expect(pending.out == "pending", "\(pending.out) \(pending.err)")
        #expect(try await idle.stop() == 0)
    }
}
