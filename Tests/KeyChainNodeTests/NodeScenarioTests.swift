import Foundation
import KeyChainAPI
import KeyChainClient
import KeyChainCore
import KeyChainTestProcesses
import KeyChainTestSupport
import Testing

/// One scenario per user story, against real `keychain-node --dev` processes on temporary data
/// directories, driven by `keychain-cli` and by `KeyChainClient`.
@Suite(.serialized) struct NodeScenarioTests {
    /// A person writes a key with the CLI, reads it back, writes again and reads its history.
    @Test func putGetHistoryWithTheCLI() async throws {
        let directory = try TemporaryDirectory()
        let node = try await NodeProcess(dataDirectory: directory.file("node"))
        let identity = directory.file("alice.key")
        let socket = node.socketPath

        let first = try await runCLI(["put", "config/db", #"{"host":"db1"}"#], socket: socket, identity: identity)
        #expect(first.status == 0, "\(first.err)")
        #expect(first.out.contains("confirmed at height"))
        let second = try await runCLI(["put", "config/db", #"{"host":"db2"}"#, "--json"], socket: socket, identity: identity)
        #expect(second.status == 0, "\(second.err)")
        let receipt = try JSONSerialization.jsonObject(with: Data(second.out.utf8)) as? [String: Any]
        #expect(receipt?["status"] as? String == "confirmed")

        let get = try await runCLI(["get", "config/db"], socket: socket, identity: identity)
        #expect(get.status == 0)
        #expect(get.out == #"{"host":"db2"}"#)
        let history = try await runCLI(["history", "config/db", "--json"], socket: socket, identity: identity)
        let versions = (try JSONSerialization.jsonObject(with: Data(history.out.utf8)) as? [String: Any])?["versions"] as? [[String: Any]]
        #expect(versions?.map { $0["value"] as? String } == [#"{"host":"db1"}"#, #"{"host":"db2"}"#])

        let missing = try await runCLI(["get", "no/such/key"], socket: socket, identity: identity)
        #expect(missing.status == 3)
        let noWait = try await runCLI(["put", "quick", "v", "--wait", "0"], socket: socket, identity: identity)
        #expect(noWait.status == 0)
        #expect(noWait.out.count == 64)
        try await node.stop()
    }

    /// Two applications race a compare-and-set on one key: one wins, the other hears `conflict`.
    @Test func compareAndSetConflictBetweenTwoClients() async throws {
        let directory = try TemporaryDirectory()
        let node = try await NodeProcess(dataDirectory: directory.file("node"))
        let owner = try TestNetwork.identity(7)
        let first = try await node.client()
        let second = try await node.client()
        let seed = try await first.put(key: "counter", value: Array("0".utf8), signer: .identity(owner))
        guard case .confirmed = await seed.outcome else { Issue.record("seed put not confirmed"); return }

        async let a = Self.outcome { try await first.put(key: "counter", value: Array("A".utf8), expectedVersion: 1, signer: .identity(owner)) }
        async let b = Self.outcome { try await second.put(key: "counter", value: Array("B".utf8), expectedVersion: 1, signer: .identity(owner)) }
        let outcomes = await [a, b]
        let wins = outcomes.filter { if case .confirmed = $0 { true } else { false } }
        let conflicts = outcomes.filter { if case .conflict = $0 { true } else { false } }
        #expect(wins.count == 1, "\(outcomes)")
        #expect(conflicts.count == 1, "\(outcomes)")
        let versions = try await first.retrieveAll("counter")
        #expect(versions.count == 2)
        await first.close()
        await second.close()
        try await node.stop()
    }

    /// A put's outcome as a value: a refusal at submission becomes its outcome too.
    static func outcome(_ put: () async throws -> PutReceipt) async -> PutOutcome {
        do { return try await put().outcome } catch let error as KeyChainClientError { return PutOutcome.from(error) } catch {
            return .failed("\(error)")
        }
    }

    /// Only a key's owner can add versions, whichever client or identity file is used.
    @Test func ownershipWithTwoIdentities() async throws {
        let directory = try TemporaryDirectory()
        let node = try await NodeProcess(dataDirectory: directory.file("node"))
        let alice = directory.file("alice.key"), bob = directory.file("bob.key")
        let write = try await runCLI(["put", "alice/profile", "v1"], socket: node.socketPath, identity: alice)
        #expect(write.status == 0, "\(write.err)")
        let theft = try await runCLI(["put", "alice/profile", "bob was here"], socket: node.socketPath, identity: bob)
        #expect(theft.status == 4)
        #expect(theft.err.contains("owned by"))
        let again = try await runCLI(["put", "alice/profile", "v2"], socket: node.socketPath, identity: alice)
        #expect(again.status == 0, "\(again.err)")
        let get = try await runCLI(["get", "alice/profile"], socket: node.socketPath, identity: bob)
        #expect(get.out == "v2")
        try await node.stop()
    }

    /// A 10,000-row import (with one malformed line), then every key readable.
    @Test func importTenThousandKeysThenReadEvery() async throws {
        let directory = try TemporaryDirectory()
        let node = try await NodeProcess(dataDirectory: directory.file("node"))
        var csv = "key,value\n"
        for index in 0..<10_000 { csv += "item/\(index),\"{\"\"n\"\": \(index)}\"\n" }
        csv += "broken,\"unterminated\n"
        let file = directory.file("keys.csv")
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await runCLI(["import", file, "--json"], socket: node.socketPath, identity: directory.file("id.key"), seconds: 600)
        #expect(result.err.contains("keys.csv:10002: expected two CSV fields"))
        let summary = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any]
        #expect(summary?["confirmed"] as? Int == 10_000, "\(result.out) \(result.err)")
        #expect(result.status == 4)  // the malformed line

        let client = try await node.client()
        try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var found = 0
                    for index in stride(from: worker, to: 10_000, by: 8) {
                        if let version = try await client.retrieve("item/\(index)"), version.value == "{\"n\": \(index)}" { found += 1 }
                    }
                    return found
                }
            }
            var total = 0
            for try await found in group { total += found }
            #expect(total == 10_000)
        }
        await client.close()
        try await node.stop()
    }

    /// `wait_all` with `failuresOnly`: a count of what confirmed and the statuses of what did not.
    @Test func waitAllCanReportOnlyFailures() async throws {
        let directory = try TemporaryDirectory()
        let node = try await NodeProcess(dataDirectory: directory.file("node"))
        let client = try await node.client()
        let identity = try TestNetwork.identity(4)
        let fine = try (0..<3).map { try Transaction.signed(key: "fine/\($0)", value: Array("v".utf8), by: identity) }
        let stale = try Transaction.signed(key: "fresh", value: Array("v".utf8), expectedVersion: 7, by: identity)
        let entries = try await client.submit(batch: fine + [stale])
        #expect(entries.map { $0.error == nil } == [true, true, true, false])
        // The refused put's status is read while the others confirm: this once aborted the node
        // (a closure reading the tracker while a mutating call held it).
        let (confirmed, failures) = try await client.waitAllFailures(txids: (fine + [stale]).map(\.id))
        #expect(confirmed == 3)
        #expect(failures.map(\.txid) == [stale.id.hex])
        #expect(failures.first?.status == .rejected)
        await client.close()
        try await node.stop()
    }

    /// kill -9 in the middle of an import, restart: every put that was reported confirmed is
    /// there with its history.
    @Test func killDuringImportLosesNothingConfirmed() async throws {
        let directory = try TemporaryDirectory()
        let dataDirectory = directory.file("node")
        var node = try await NodeProcess(dataDirectory: dataDirectory)
        let identity = try TestNetwork.identity(9)
        let client = try await node.client()
        var confirmed: [String: String] = [:]
        var batch = 0
        // Confirmed batches first, then unconfirmed ones in flight when the node dies.
        while batch < 6 {
            let puts = try (0..<200).map { index in
                try Transaction.signed(key: "crash/\(batch)/\(index)", value: Array("b\(batch) i\(index)".utf8), by: identity)
            }
            let entries = try await client.submit(batch: puts)
            #expect(entries.allSatisfy { $0.error == nil })
            if batch < 4 {
                let statuses = try await client.waitAll(txids: puts.map(\.id))
                for (put, status) in zip(puts, statuses) where status.status == .confirmed {
                    confirmed[put.key] = String(decoding: put.value, as: UTF8.self)
                }
            }
            batch += 1
        }
        #expect(confirmed.count == 800)
        try await node.stop(signal: SIGKILL)
        await client.close()

        node = try await NodeProcess(dataDirectory: dataDirectory)
        let after = try await node.client()
        for (key, value) in confirmed {
            let history = try await after.retrieveAll(key)
            #expect(history.count == 1 && history.first?.value == value, "\(key)")
        }
        await after.close()
        try await node.stop()
    }

    /// SIGTERM stops the node cleanly (socket removed, checkpoint written); a restart serves the
    /// same chain.
    @Test func sigtermThenRestart() async throws {
        let directory = try TemporaryDirectory()
        let dataDirectory = directory.file("node")
        var node = try await NodeProcess(dataDirectory: dataDirectory)
        let client = try await node.client()
        let receipt = try await client.put(key: "persist", value: Array("across restarts".utf8))
        let delivered = Delivered()
        receipt.onOutcome { delivered.set($0) }
        guard case .confirmed = await receipt.outcome else { Issue.record("not confirmed"); return }
        try await eventually("the receipt's callback") { delivered.value != nil }
        let before = try await client.status()
        #expect(try await node.stop(signal: SIGTERM) == 0)
        #expect(!FileManager.default.fileExists(atPath: node.socketPath))
        #expect(FileManager.default.fileExists(atPath: dataDirectory + "/keyindex.sqlite"))

        node = try await NodeProcess(dataDirectory: dataDirectory)
        let again = try await node.client()
        let after = try await again.status()
        #expect(after.tip == before.tip)
        #expect(after.genesis == before.genesis)
        #expect(try await again.retrieve("persist")?.value == "across restarts")
        await again.close()
        try await node.stop()
    }
}

/// A value set from a callback, read by the test.
final class Delivered: @unchecked Sendable {
    private let lock = NSLock()
    private var outcome: PutOutcome?
    func set(_ value: PutOutcome) { lock.withLock { outcome = value } }
    var value: PutOutcome? { lock.withLock { outcome } }
}
