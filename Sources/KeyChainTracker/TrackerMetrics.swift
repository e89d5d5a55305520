import Metrics

/// The tracker's metrics: announcements by outcome, live peers, requests by status.
struct TrackerMetrics: Sendable {
    enum Outcome: String, CaseIterable {
        case added, refreshed, removed, full, unreachable, malformed
        case wrongNetwork = "wrong_network"
    }

    let peers = Gauge(label: "keychain_tracker_peers")
    private let outcomes: [String: Counter] = Dictionary(uniqueKeysWithValues: Outcome.allCases.map {
        ($0.rawValue, Counter(label: "keychain_tracker_announcements_total", dimensions: [("outcome", $0.rawValue)]))
    })

    /// Counts an announcement.
    func announcements(_ outcome: Outcome) { outcomes[outcome.rawValue]?.increment() }

    /// Counts an answered request.
    func request(status: Int) {
        Counter(label: "keychain_tracker_requests_total", dimensions: [("status", String(status))]).increment()
    }
}
