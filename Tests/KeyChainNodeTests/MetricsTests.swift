import Foundation
import KeyChainClient
import KeyChainTestProcesses
import KeyChainTestSupport
import Testing

@Suite(.serialized) struct MetricsTests {
    /// Each `name value` line of a Prometheus text body.
    static func samples(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { samples[String(parts[0])] = value }
        }
        return samples
    }

    @Test func prometheusEndpointCountsPutsAndBlocks() async throws {
        let directory = try TemporaryDirectory()
        let port = try freePort()
        let node = try await NodeProcess(dataDirectory: directory.file("node"), arguments: ["--dev", "--metrics", "127.0.0.1:\(port)"])
        let client = try await node.client()
        let receipt = try await client.put(key: "metered", value: Array("v".utf8))
        guard case .confirmed = await receipt.outcome else { Issue.record("not confirmed"); return }
        _ = try await client.retrieve("metered")
        let (status, text) = try await httpGet(port, "/metrics")
        #expect(status == 200)
        // Whole samples, name and value: "... 1" must not pass for 10-19.
        let samples = Self.samples(text)
        #expect(samples["keychain_puts_accepted_total"] == 1)
        #expect(samples["keychain_height"] == 1)
        #expect(samples["keychain_blocks_connected_total"] == 1)
        #expect(samples["keychain_keys"] == 1)
        #expect((samples[#"keychain_rpc_duration_seconds_count{method="get"}"#] ?? 0) >= 1)
        #expect(try await httpGet(port, "/other").status == 404)
        await client.close()
        try await node.stop()
    }
}
