import Foundation
import KeyChainAPI
import KeyChainClient

extension NodeProcess {
    /// A node of a test network.
    public convenience init(dataDirectory: String, network options: NetworkNodeOptions) async throws {
        try await self.init(dataDirectory: dataDirectory, arguments: options.arguments)
    }

    /// The node's status, through a fresh connection.
    public func status() async throws -> StatusResult {
        let client = try await client()
        defer { Task { await client.close() } }
        return try await client.status()
    }

    /// The versions of `key`, oldest first (empty while the node has none).
    public func history(_ key: String) async throws -> [VersionResult] {
        let client = try await client()
        defer { Task { await client.close() } }
        return try await client.retrieveAll(key)
    }
}

/// Waits until every node has at least `peers` ready peers.
public func waitUntilConnected(_ nodes: [NodeProcess], peers: Int, seconds: Double = 90) async throws {
    try await eventually("\(nodes.count) nodes with \(peers) peers each", seconds: seconds) {
        for node in nodes where try await node.status().peers < peers { return false }
        return true
    }
}

/// Waits until every node has `key` with exactly the txids `txids`, in order.
public func waitUntilEveryNode(_ nodes: [NodeProcess], has key: String, txids: [String], seconds: Double = 90) async throws {
    try await eventually("\(key) with \(txids.count) versions on \(nodes.count) nodes", seconds: seconds) {
        for node in nodes where try await node.history(key).map(\.txid) != txids { return false }
        return true
    }
}
