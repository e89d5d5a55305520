import Metrics

/// The node's metrics, through swift-metrics: free until a backend is bootstrapped
/// (`keychain-node --metrics HOST:PORT` bootstraps Prometheus).
struct NodeMetrics: Sendable {
    let blocksConnected = Counter(label: "keychain_blocks_connected_total")
    let reorganisations = Counter(label: "keychain_reorganisations_total")
    let height = Gauge(label: "keychain_height")
    let mempool = Gauge(label: "keychain_mempool_transactions")
    let keys = Gauge(label: "keychain_keys")
    let hashRate = Gauge(label: "keychain_hash_rate")
    let putsAccepted = Counter(label: "keychain_puts_accepted_total")
    let putsRejected = Counter(label: "keychain_puts_rejected_total")
    let putsEvicted = Counter(label: "keychain_puts_evicted_total")
    /// Ready peers, and the highest best height they announced: the node is syncing while it
    /// is above `keychain_height`.
    let peers = Gauge(label: "keychain_peers")
    let bestKnownHeight = Gauge(label: "keychain_best_known_height")
}
