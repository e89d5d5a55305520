import Foundation
import KeyChainCore
@testable import KeyChainTracker
import Testing

/// The tracker's state directory and its JSON: a network is created once, served the same
/// after a restart, and a contradicting flag is refused with what to do.
@Suite struct TrackerStateTests {
    static func directory() -> String {
        let path = NSTemporaryDirectory() + "keychain-tracker-state-\(UUID().uuidString)"
        return path
    }

    @Test func aRestartedTrackerServesTheSameNetwork() throws {
        let path = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let created = try TrackerState.open(path, request: .init(name: "lab", difficultyBits: 18), now: 1_000)
        #expect(created.name == "lab" && created.difficultyBits == 18 && created.createdAt == 1_000)
        #expect(created.retargeting == .asert(halfLifeIntervals: 30), "a new network retargets unless told not to")
        let again = try TrackerState.open(path, request: .init(), now: 9_999)
        #expect(again == created)
        let same = try TrackerState.open(path, request: .init(name: "lab", difficultyBits: 18), now: 9_999)
        #expect(same.genesisHash == created.genesisHash)
    }

    struct Contradiction: Sendable, CustomTestStringConvertible {
        let request: TrackerState.Request
        let flag: String
        var testDescription: String { flag }
    }

    static let contradictions: [Contradiction] = [
        .init(request: .init(difficultyBits: 20), flag: "--difficulty 20"),
        .init(request: .init(name: "other"), flag: "--name other"),
        .init(request: .init(blockIntervalMilliseconds: 500), flag: "--block-interval 500"),
        .init(request: .init(maxBlockSize: 2_000_000), flag: "--max-block-size 2000000"),
        .init(request: .init(maxValueLength: 1_024), flag: "--max-value-size 1024"),
        .init(request: .init(retargeting: .fixed), flag: "--fixed-difficulty"),
        .init(request: .init(retargeting: .asert(halfLifeIntervals: 60)), flag: "--half-life 60"),
    ]

    @Test(arguments: contradictions) func aContradictingFlagIsRefused(_ test: Contradiction) throws {
        let path = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let created = try TrackerState.open(path, request: .init(name: "lab", difficultyBits: 18), now: 1_000)
        do {
            _ = try TrackerState.open(path, request: test.request, now: 2_000)
            Issue.record("\(test.flag) was accepted")
        } catch {
            #expect(error.description.contains(test.flag), "\(error)")
            #expect(error.description.contains(created.genesisHash.hex), "\(error)")
            #expect(error.description.contains("--state-dir"), "\(error)")
        }
    }

    @Test func aDamagedStateFileIsReportedNotReplaced() throws {
        let path = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try "{broken".write(toFile: path + "/network.json", atomically: true, encoding: .utf8)
        #expect(throws: TrackerStateError.self) { try TrackerState.open(path, request: .init(), now: 0) }
        #expect(try String(contentsOfFile: path + "/network.json", encoding: .utf8) == "{broken")
    }

    @Test func aDescriptionWhoseParametersDoNotHashToItsGenesisIsRefused() throws {
        let network = try NetworkParameters(name: "lab", difficultyBits: 18, createdAt: 5)
        var description = NetworkDescription(network)
        #expect(try description.network() == network)
        description.genesis = String(repeating: "0", count: 64)
        #expect(throws: NetworkDescriptionError.self) { try description.network() }
    }

    struct AnnouncementCase: Sendable, CustomTestStringConvertible {
        let json: String
        let valid: Bool
        var testDescription: String { json }
    }

    static let genesis = String(repeating: "ab", count: 32)
    static let announcements: [AnnouncementCase] = [
        .init(json: #"{"node":"00000000000000ff","genesis":"\#(genesis)","port":7101,"height":3}"#, valid: true),
        .init(json: #"{"node":"ff","genesis":"\#(genesis)","port":7101,"advertise":"203.0.113.5"}"#, valid: true),
        .init(json: #"{"node":"ff","genesis":"\#(genesis)","port":0,"stopped":true}"#, valid: true),
        .init(json: #"{"node":"ff","genesis":"\#(genesis)","port":0}"#, valid: false),
        .init(json: #"{"node":"0","genesis":"\#(genesis)","port":7101}"#, valid: false),
        .init(json: #"{"node":"not hex","genesis":"\#(genesis)","port":7101}"#, valid: false),
        .init(json: #"{"node":"11112222333344445","genesis":"\#(genesis)","port":7101}"#, valid: false),
        .init(json: #"{"node":255,"genesis":"\#(genesis)","port":7101}"#, valid: false),
        .init(json: #"{"genesis":"\#(genesis)","port":7101}"#, valid: false),
        .init(json: #"{"node":"ff","genesis":"\#(genesis)","port":70000}"#, valid: false),
    ]

    @Test(arguments: announcements) func announcementsAreCheckedWhenDecoded(_ test: AnnouncementCase) {
        let decoded = try? JSONDecoder().decode(Announcement.self, from: Data(test.json.utf8))
        #expect((decoded != nil) == test.valid)
    }

    @Test func anAnnouncementRoundTripsWithItsNodeIDAsHex() throws {
        let announcement = Announcement(nodeID: 0xFFFF_0000_0000_0001, genesis: Self.genesis, port: 7101, height: 9, best: "cd")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(announcement), as: UTF8.self)
        #expect(text == #"{"best":"cd","genesis":"\#(Self.genesis)","height":9,"node":"ffff000000000001","port":7101}"#)
        #expect(try JSONDecoder().decode(Announcement.self, from: Data(text.utf8)) == announcement)
    }
}
