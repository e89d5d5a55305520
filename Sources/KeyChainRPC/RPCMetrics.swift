import Metrics

/// The API server's metrics, through swift-metrics (free until a backend is bootstrapped).
enum RPCMetrics {
    /// Time to answer one request, by method.
    static func timer(_ method: String) -> Timer {
        Timer(label: "keychain_rpc_duration_seconds", dimensions: [("method", method)])
    }
}
