import Foundation
import KeyChainCore

/// The tracker's state directory: `network.json`, the genesis parameters of the network it
/// serves, written when the tracker first starts and read on every start after, so that a
/// restarted tracker serves the same network.
public enum TrackerState {
    /// Genesis parameters asked for on the command line; nil fields take the defaults (on
    /// creation) or the stored values (after).
    public struct Request: Sendable {
        public var name: String?
        public var difficultyBits: Int?
        public var blockIntervalMilliseconds: UInt32?
        public var maxBlockSize: Int?
        public var maxValueLength: Int?
        /// Nil: ASERT at the default half-life for a new network, whatever an old one has.
        public var retargeting: Retargeting?

        public init(name: String? = nil, difficultyBits: Int? = nil, blockIntervalMilliseconds: UInt32? = nil,
                    maxBlockSize: Int? = nil, maxValueLength: Int? = nil, retargeting: Retargeting? = nil) {
            self.name = name
            self.difficultyBits = difficultyBits
            self.blockIntervalMilliseconds = blockIntervalMilliseconds
            self.maxBlockSize = maxBlockSize
            self.maxValueLength = maxValueLength
            self.retargeting = retargeting
        }
    }

    /// The default difficulty of a new network: about a block a second on two cores here.
    public static let defaultDifficultyBits = 24

    /// The network of the state directory at `path`: the stored one, which every given flag
    /// must match, or on first start a new one made from `request` and stored.
    public static func open(_ path: String, request: Request, now: UInt64) throws(TrackerStateError) -> NetworkParameters {
        let file = (path as NSString).appendingPathComponent("network.json")
        if let data = FileManager.default.contents(atPath: file) {
            let stored: NetworkParameters
            do {
                stored = try JSONDecoder().decode(NetworkDescription.self, from: data).network()
            } catch {
                throw .damaged(file: file, reason: "\(error)")
            }
            var contradictions: [String] = []
            func check<T: Equatable>(_ flag: String, _ asked: T?, _ held: T) {
                if let asked, asked != held { contradictions.append("\(flag) \(asked) (the network has \(held))") }
            }
            check("--name", request.name, stored.name)
            check("--difficulty", request.difficultyBits, stored.difficultyBits)
            check("--block-interval", request.blockIntervalMilliseconds, stored.blockIntervalMilliseconds)
            check("--max-block-size", request.maxBlockSize, stored.maxBlockSize)
            check("--max-value-size", request.maxValueLength, stored.maxValueLength)
            switch request.retargeting {
            case .fixed? where stored.retargeting != .fixed:
                contradictions.append("--fixed-difficulty (the network retargets: \(stored.retargeting))")
            case let .asert(halfLife)? where stored.retargeting != .asert(halfLifeIntervals: halfLife):
                contradictions.append("--half-life \(halfLife) (the network has \(stored.retargeting == .fixed ? "a fixed difficulty" : "\(stored.retargeting)"))")
            default: break
            }
            guard contradictions.isEmpty else {
                throw .contradicted(file: file, network: stored.name, genesis: stored.genesisHash.hex, flags: contradictions)
            }
            return stored
        }
        let network: NetworkParameters
        do {
            network = try NetworkParameters(
                name: request.name ?? "keychain", difficultyBits: request.difficultyBits ?? defaultDifficultyBits,
                blockIntervalMilliseconds: request.blockIntervalMilliseconds ?? 1_000,
                maxBlockSize: request.maxBlockSize ?? 3_000_000, maxValueLength: request.maxValueLength ?? 64 * 1024, createdAt: now,
                retargeting: request.retargeting ?? .default)
        } catch {
            throw .invalid(error.description)
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(NetworkDescription(network)).write(to: URL(fileURLWithPath: file), options: .atomic)
        } catch {
            throw .notWritable(path: path, reason: error.localizedDescription)
        }
        return network
    }
}

/// Why the tracker cannot start on its state directory.
public enum TrackerStateError: Error, Equatable, Sendable, CustomStringConvertible {
    case damaged(file: String, reason: String)
    case contradicted(file: String, network: String, genesis: String, flags: [String])
    case invalid(String)
    case notWritable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .damaged(file, reason): "\(file) is damaged (\(reason)); restore it, or move it away to create a new network"
        case let .contradicted(file, network, genesis, flags):
            "\(file) holds network \"\(network)\" (genesis \(genesis)), which \(flags.joined(separator: ", ")) contradict: "
                + "drop the flags to serve it, or give another --state-dir to create a new network"
        case let .invalid(reason): reason
        case let .notWritable(path, reason): "cannot write the state directory \(path): \(reason)"
        }
    }
}
