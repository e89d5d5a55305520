/// Requests allowed from one source host: a token bucket per host (a burst, then a steady
/// rate), so that one host cannot keep the tracker busy for everyone. At most `maxSources`
/// hosts are remembered; when full, the host seen longest ago is forgotten.
struct RequestRate: Sendable {
    /// Requests a second from one host, steadily.
    let perSecond: Double
    /// Requests one host may make at once.
    let burst: Double
    let maxSources: Int
    private var buckets: [String: (tokens: Double, at: UInt64)] = [:]

    init(perSecond: Double, burst: Double? = nil, maxSources: Int = 10_000) {
        self.perSecond = max(perSecond, 0.001)
        self.burst = max(burst ?? perSecond * 6, 1)
        self.maxSources = max(maxSources, 1)
    }

    /// Whether `source` may make a request at `now` (milliseconds); takes one token if so.
    mutating func allow(_ source: String, now: UInt64) -> Bool {
        var bucket = buckets[source] ?? (burst, now)
        bucket.tokens = min(burst, bucket.tokens + Double(now &- min(bucket.at, now)) / 1_000 * perSecond)
        bucket.at = now
        let allowed = bucket.tokens >= 1
        if allowed { bucket.tokens -= 1 }
        if buckets[source] == nil && buckets.count >= maxSources,
           let oldest = buckets.min(by: { $0.value.at < $1.value.at })?.key {
            buckets[oldest] = nil
        }
        buckets[source] = bucket
        return allowed
    }
}
