import Foundation
import enum KeyChainCore.Retargeting

/// A simulation described in a file (JSON): the network, the load, and a timeline of faults.
/// Every field has a default, so a file names only what it changes:
///
///     {"nodes": 20, "durationSeconds": 60, "putsPerSecond": 2,
///      "events": [{"at": 10, "partition": [[0, 1, 2], [3, 4]]}, {"at": 30, "heal": true},
///                 {"at": 15, "crash": 3}, {"at": 25, "restart": 3}]}
public struct Scenario: Sendable, Equatable {
    public var nodes = 100
    public var outbound = 8
    public var trackerPeers = 50
    public var latencyMs: UInt64 = 50
    public var jitterMs: UInt64 = 20
    public var loss = 0.0
    public var blockIntervalMs: UInt64 = 1_000
    /// The genesis difficulty. A fixed network stays at 1 bit, where a nonce is found at once;
    /// a retargeting one needs room to ease (the simulator still finds every nonce for real).
    public var difficultyBits = 1
    /// ASERT's half-life in block intervals; nil (the default) keeps the difficulty fixed.
    public var halfLifeIntervals: UInt32?
    /// The relay: "compact" (the default: compact blocks, puts announced to outbound peers
    /// and reconciled, headers asked for while a tip stalls) or "headers" (the relay before
    /// them: headers, then `getdata` and the whole block; puts announced to every peer; every
    /// 5 s each peer asked for headers and offered the waiting puts), or "flood", the baseline:
    /// the headers relay with every new tip and put pushed whole to every peer but its source.
    public var relay = "compact"
    public var putsPerSecond = 0.0
    public var durationSeconds: Double = 60
    /// After the run: mining stops and the network is given this long to settle.
    public var settleSeconds: Double = 10
    public var seed: UInt64 = 1
    public var events: [TimedEvent] = []

    /// Something that happens to the network at a given second.
    public struct TimedEvent: Sendable, Equatable, Decodable {
        public var at: Double
        public var action: Action

        /// What happens.
        public enum Action: Sendable, Equatable {
            case partition([[Int]])
            case heal
            case crash(Int)
            case restart(Int)
            case hashShares([Double])
            /// The network's hash rate as a multiple of its starting one.
            case hashPower(Double)
            case mining(Bool)
        }

        private enum Key: String, CodingKey { case at, partition, heal, crash, restart, hashShares, hashPower, mining }

        public init(at: Double, _ action: Action) {
            self.at = at
            self.action = action
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            at = try container.decode(Double.self, forKey: .at)
            let present = container.allKeys.filter { $0 != .at }
            guard present.count == 1, let key = present.first else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                    "an event has \"at\" and exactly one of partition, heal, crash, restart, hashShares, hashPower, mining"))
            }
            switch key {
            case .partition: action = .partition(try container.decode([[Int]].self, forKey: key))
            case .heal: action = .heal
            case .crash: action = .crash(try container.decode(Int.self, forKey: key))
            case .restart: action = .restart(try container.decode(Int.self, forKey: key))
            case .hashShares: action = .hashShares(try container.decode([Double].self, forKey: key))
            case .hashPower: action = .hashPower(try container.decode(Double.self, forKey: key))
            case .mining: action = .mining(try container.decode(Bool.self, forKey: key))
            case .at: action = .heal
            }
        }
    }

    /// The defaults.
    public init() {}

    /// Reads a scenario file; errors name the file and what is wrong with it.
    public static func load(_ path: String) throws(ScenarioError) -> Scenario {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path) }
        let scenario: Scenario
        do {
            scenario = try JSONDecoder().decode(Scenario.self, from: data)
        } catch let error as DecodingError {
            throw .malformed(path, Self.describe(error))
        } catch {
            throw .malformed(path, "\(error)")
        }
        try scenario.validate(path)
        return scenario
    }

    /// Checks what the decoder cannot: node numbers in range, shares and rates that make sense.
    public func validate(_ source: String) throws(ScenarioError) {
        func fail(_ reason: String) throws(ScenarioError) { throw .invalid(source, reason) }
        if nodes < 2 { try fail("nodes must be at least 2 (is \(nodes))") }
        if outbound < 1 { try fail("outbound must be at least 1") }
        if !(0...1).contains(loss) { try fail("loss must be between 0 and 1 (is \(loss))") }
        if blockIntervalMs == 0 || blockIntervalMs > UInt64(UInt32.max) { try fail("blockIntervalMs must be 1-\(UInt32.max)") }
        if !["compact", "headers", "flood"].contains(relay) { try fail("relay must be \"compact\", \"headers\" or \"flood\", not \"\(relay)\"") }
        if !(1...32).contains(difficultyBits) { try fail("difficultyBits must be 1-32 (the simulator finds every nonce)") }
        if let halfLifeIntervals, !(1...Retargeting.maxHalfLifeIntervals).contains(halfLifeIntervals) {
            try fail("halfLifeIntervals must be 1-\(Retargeting.maxHalfLifeIntervals)")
        }
        if putsPerSecond < 0 || putsPerSecond > 10_000 { try fail("putsPerSecond must be between 0 and 10000") }
        if durationSeconds <= 0 || durationSeconds > 86_400 { try fail("durationSeconds must be between 0 and 86400") }
        for event in events {
            if event.at < 0 || event.at > durationSeconds { try fail("an event at \(event.at) s is outside the run (0-\(durationSeconds) s)") }
            switch event.action {
            case let .partition(groups):
                for node in groups.joined() where !(0..<nodes).contains(node) { try fail("partition names node \(node); nodes are 0-\(nodes - 1)") }
            case let .crash(node), let .restart(node):
                if !(0..<nodes).contains(node) { try fail("event at \(event.at) s names node \(node); nodes are 0-\(nodes - 1)") }
            case let .hashShares(shares):
                if shares.contains(where: { $0 < 0 }) || abs(shares.reduce(0, +) - 1) > 0.001 { try fail("hashShares must be non-negative and sum to 1") }
            case let .hashPower(factor):
                if !(factor > 0 && factor <= 1_000) { try fail("hashPower must be above 0 and at most 1000 (is \(factor))") }
            case .heal, .mining: break
            }
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let text = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "" : " at \(text)"
        }
        switch error {
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
            return "\(context.debugDescription)\(path(context))"
        case let .keyNotFound(key, context):
            return "missing \"\(key.stringValue)\"\(path(context))"
        @unknown default:
            return "\(error)"
        }
    }
}

extension Scenario: Decodable {
    private enum Key: String, CodingKey, CaseIterable {
        case nodes, outbound, trackerPeers, latencyMs, jitterMs, loss, blockIntervalMs, difficultyBits, halfLifeIntervals, relay,
             putsPerSecond, durationSeconds, settleSeconds, seed, events
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        // A misspelt field would otherwise be ignored and the run would quietly use a default.
        let known = Set(Key.allCases.map(\.stringValue))
        let all = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        if let unknown = all.first(where: { !known.contains($0) }) {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription:
                "unknown field \"\(unknown)\"; fields are \(Key.allCases.map(\.stringValue).joined(separator: ", "))"))
        }
        func value<T: Decodable>(_ key: Key, _ fallback: T) throws -> T { try container.decodeIfPresent(T.self, forKey: key) ?? fallback }
        let defaults = Scenario()
        nodes = try value(.nodes, defaults.nodes)
        outbound = try value(.outbound, defaults.outbound)
        trackerPeers = try value(.trackerPeers, defaults.trackerPeers)
        latencyMs = try value(.latencyMs, defaults.latencyMs)
        jitterMs = try value(.jitterMs, defaults.jitterMs)
        loss = try value(.loss, defaults.loss)
        blockIntervalMs = try value(.blockIntervalMs, defaults.blockIntervalMs)
        difficultyBits = try value(.difficultyBits, defaults.difficultyBits)
        halfLifeIntervals = try container.decodeIfPresent(UInt32.self, forKey: .halfLifeIntervals)
        relay = try value(.relay, defaults.relay)
        putsPerSecond = try value(.putsPerSecond, defaults.putsPerSecond)
        durationSeconds = try value(.durationSeconds, defaults.durationSeconds)
        settleSeconds = try value(.settleSeconds, defaults.settleSeconds)
        seed = try value(.seed, defaults.seed)
        events = try value(.events, defaults.events)
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// Why a scenario file cannot run.
public enum ScenarioError: Error, Equatable, CustomStringConvertible {
    case unreadable(String)
    case malformed(String, String)
    case invalid(String, String)

    public var description: String {
        switch self {
        case let .unreadable(path): "cannot read scenario file \(path)"
        case let .malformed(path, reason): "\(path) is not a valid scenario: \(reason)"
        case let .invalid(path, reason): "\(path): \(reason)"
        }
    }
}
