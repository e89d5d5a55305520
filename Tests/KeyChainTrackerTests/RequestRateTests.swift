@testable import KeyChainTracker
import Testing

/// One host's requests: a burst, then the steady rate; other hosts are counted apart.
@Suite struct RequestRateTests {
    /// Each step: a host asks at a time (milliseconds) and is let through or not.
    struct Step: Sendable {
        let source: String
        let now: UInt64
        let allowed: Bool
        let why: String
    }

    static func play(_ rate: RequestRate, _ steps: [Step]) {
        var rate = rate
        for step in steps {
            let allowed = rate.allow(step.source, now: step.now)
            #expect(allowed == step.allowed, "\(step.source) at \(step.now) ms: \(step.why)")
        }
    }

    @Test func aHostGetsItsBurstThenTheSteadyRate() {
        let burst = (0..<5).map { _ in Step(source: "10.0.0.1", now: 1_000, allowed: true, why: "within the burst") }
        let quiet = (0..<5).map { _ in Step(source: "10.0.0.1", now: 60_000, allowed: true, why: "a quiet host gets its burst back") }
        Self.play(RequestRate(perSecond: 10, burst: 5), burst + [
            Step(source: "10.0.0.1", now: 1_000, allowed: false, why: "the burst is spent"),
            Step(source: "10.0.0.2", now: 1_000, allowed: true, why: "another host is counted apart"),
            Step(source: "10.0.0.1", now: 1_050, allowed: false, why: "half a token has come back, not one"),
            Step(source: "10.0.0.1", now: 1_100, allowed: true, why: "one token after 100 ms at 10 a second"),
            Step(source: "10.0.0.1", now: 1_100, allowed: false, why: "and no more"),
        ] + quiet + [Step(source: "10.0.0.1", now: 60_000, allowed: false, why: "the burst, no more")])
    }

    @Test func theTableForgetsTheHostSeenLongestAgo() {
        Self.play(RequestRate(perSecond: 1, burst: 1, maxSources: 2), [
            Step(source: "a", now: 0, allowed: true, why: "first request"),
            Step(source: "b", now: 10, allowed: true, why: "first request"),
            Step(source: "c", now: 20, allowed: true, why: "a third host evicts a, the oldest"),
            Step(source: "a", now: 30, allowed: true, why: "a, forgotten, starts with a full bucket"),
            Step(source: "c", now: 40, allowed: false, why: "c is still remembered, its token spent"),
        ])
    }
}
