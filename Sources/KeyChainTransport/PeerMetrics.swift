import Metrics
import NIOConcurrencyHelpers

/// The transport's metrics: connections, bytes, messages by command, bans.
struct PeerMetrics: Sendable {
    let connections = Meter(label: "keychain_peer_connections")
    let bytesIn = Counter(label: "keychain_peer_bytes_received_total")
    let bytesOut = Counter(label: "keychain_peer_bytes_sent_total")
    let bans = Counter(label: "keychain_peer_bans_total")
    private let received = NIOLockedValueBox<[String: Counter]>([:])
    private let sent = NIOLockedValueBox<[String: Counter]>([:])

    /// Counts a message that arrived, by command.
    func received(_ command: String) { Self.counter(received, command, "keychain_peer_messages_received_total").increment() }

    /// Counts a message sent, by command.
    func sent(_ command: String) { Self.counter(sent, command, "keychain_peer_messages_sent_total").increment() }

    private static func counter(_ box: NIOLockedValueBox<[String: Counter]>, _ command: String, _ label: String) -> Counter {
        box.withLockedValue { counters in
            if let counter = counters[command] { return counter }
            let counter = Counter(label: label, dimensions: [("command", command)])
            counters[command] = counter
            return counter
        }
    }
}
