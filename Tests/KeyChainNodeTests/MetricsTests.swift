import Foundation
import KeyChainClient
import KeyChainTestSupport
import Testing

@Suite(.serialized) struct MetricsTests {
    /// A free TCP port on 127.0.0.1 (bound, read, released).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw ProcessFailure(description: "no free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// `GET path` on 127.0.0.1:port; the whole response.
    static func httpGet(port: Int, path: String) throws -> String {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ProcessFailure(description: "connect to 127.0.0.1:\(port) failed") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            response += buffer[..<count]
        }
        return String(decoding: response, as: UTF8.self)
    }

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
        let port = try Self.freePort()
        let node = try await NodeProcess(dataDirectory: directory.file("node"), arguments: ["--dev", "--metrics", "127.0.0.1:\(port)"])
        let client = try await node.client()
        let receipt = try await client.put(key: "metered", value: Array("v".utf8))
        guard case .confirmed = await receipt.outcome else { Issue.record("not confirmed"); return }
        _ = try await client.retrieve("metered")
        let text = try Self.httpGet(port: port, path: "/metrics")
        #expect(text.hasPrefix("HTTP/1.1 200"))
        // Whole samples, name and value: "... 1" must not pass for 10-19.
        let samples = Self.samples(text)
        #expect(samples["keychain_puts_accepted_total"] == 1)
        #expect(samples["keychain_height"] == 1)
        #expect(samples["keychain_blocks_connected_total"] == 1)
        #expect(samples["keychain_keys"] == 1)
        #expect((samples[#"keychain_rpc_duration_seconds_count{method="get"}"#] ?? 0) >= 1)
        #expect(try Self.httpGet(port: port, path: "/other").hasPrefix("HTTP/1.1 404"))
        await client.close()
        try await node.stop()
    }
}
