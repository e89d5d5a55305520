@testable import KeyChainTracker
import Testing

/// The tracker's membership rules on a hand-moved clock.
@Suite struct PeerTableTests {
    struct HostCase: Sendable, CustomTestStringConvertible {
        let advertised: String?
        let source: String
        let expected: Result<String, PeerTable.AddressError>
        var testDescription: String { "advertised \(advertised ?? "nothing") from \(source)" }
    }

    static let hostCases: [HostCase] = [
        .init(advertised: nil, source: "10.1.0.2", expected: .success("10.1.0.2")),
        .init(advertised: "", source: "10.1.0.2", expected: .success("10.1.0.2")),
        .init(advertised: "node1.example", source: "10.1.0.2", expected: .success("node1.example")),
        .init(advertised: nil, source: "127.0.0.1", expected: .success("127.0.0.1")),
        .init(advertised: "127.0.0.1", source: "127.0.0.1", expected: .success("127.0.0.1")),
        .init(advertised: "0.0.0.0", source: "10.1.0.2", expected: .failure(.unspecified("0.0.0.0"))),
        .init(advertised: "::", source: "10.1.0.2", expected: .failure(.unspecified("::"))),
        .init(advertised: nil, source: "0.0.0.0", expected: .failure(.unspecified("0.0.0.0"))),
        .init(advertised: "127.0.0.1", source: "10.1.0.2", expected: .failure(.loopbackFromElsewhere(advertised: "127.0.0.1", source: "10.1.0.2"))),
        .init(advertised: "localhost", source: "10.1.0.2", expected: .failure(.loopbackFromElsewhere(advertised: "localhost", source: "10.1.0.2"))),
        .init(advertised: nil, source: "", expected: .failure(.empty)),
    ]

    @Test(arguments: hostCases) func aPeerIsRecordedUnderADialableHost(_ test: HostCase) {
        #expect(PeerTable.host(advertised: test.advertised, source: test.source) == test.expected)
    }

    @Test func entriesExpireOneAndAHalfIntervalsAfterTheirLastAnnouncement() {
        var table = PeerTable(interval: 30_000)
        #expect(table.announce(Announcement(nodeID: 1, port: 7101), from: "10.1.0.2", now: 0) == .added)
        #expect(table.announce(Announcement(nodeID: 1, port: 7101, height: 5), from: "10.1.0.2", now: 20_000) == .refreshed)
        table.expire(now: 64_999)
        #expect(table.count == 1)
        table.expire(now: 65_000)
        #expect(table.count == 0)
    }

    @Test func aStoppedNodeIsForgottenAtOnce() {
        var table = PeerTable()
        _ = table.announce(Announcement(nodeID: 1, port: 7101), from: "10.1.0.2", now: 0)
        #expect(table.announce(Announcement(nodeID: 1, port: 7101, stopped: true), from: "10.1.0.2", now: 1) == .removed)
        #expect(table.count == 0)
    }

    @Test func aFullTableRefusesNewNodesButRefreshesKnownOnes() {
        var table = PeerTable(capacity: 2)
        #expect(table.announce(Announcement(nodeID: 1, port: 1), from: "10.0.0.1", now: 0) == .added)
        #expect(table.announce(Announcement(nodeID: 2, port: 2), from: "10.0.0.2", now: 0) == .added)
        #expect(table.announce(Announcement(nodeID: 3, port: 3), from: "10.0.0.3", now: 0) == .full)
        #expect(table.announce(Announcement(nodeID: 2, port: 2), from: "10.0.0.2", now: 1) == .refreshed)
        #expect(table.count == 2)
        // Once an entry expires there is room again.
        #expect(table.announce(Announcement(nodeID: 1, port: 1), from: "10.0.0.1", now: 40_000) == .refreshed)
        #expect(table.announce(Announcement(nodeID: 3, port: 3), from: "10.0.0.3", now: 46_000) == .added)
    }

    @Test func anUnreachableAnnouncementIsRefusedWithItsReason() {
        var table = PeerTable()
        let outcome = table.announce(Announcement(nodeID: 1, advertisedHost: "0.0.0.0", port: 7101), from: "10.0.0.1", now: 0)
        #expect(outcome == .unreachable("0.0.0.0 is not an address a peer can dial; advertise one with --advertise"))
        #expect(table.count == 0)
    }

    @Test func aSampleExcludesTheAskerAndTheExpired() {
        var table = PeerTable(interval: 1_000)
        for id in 1...20 { _ = table.announce(Announcement(nodeID: UInt64(id), port: 7000 + UInt16(id)), from: "10.0.0.\(id)", now: id <= 10 ? 0 : 1_000) }
        var generator = SystemRandomNumberGenerator()
        // At 1,600 ms the first ten (last seen at 0) have expired.
        let sample = table.sample(50, excluding: 15, now: 1_600, using: &generator)
        #expect(sample.count == 9)
        #expect(Set(sample.map(\.nodeID)) == Set((11...20).map(UInt64.init)).subtracting([15]))
        #expect(table.sample(3, now: 1_600, using: &generator).count == 3)
    }
}
