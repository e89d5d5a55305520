import Foundation

/// A mining node of a test network: low difficulty, a capped hash rate (a few blocks a second
/// for the whole network, so that several fit on two cores), its own ports.
public struct NetworkNodeOptions {
    /// The port it listens for peers on.
    public var peerPort: Int
    /// Trackers it announces to (`HOST:PORT`).
    public var trackers: [String] = []
    /// Peers it dials at start (`HOST:PORT`).
    public var peers: [String] = []
    /// Whether it takes connections.
    public var listen = true
    /// Whether it mines.
    public var mine = true
    /// Its hash-rate cap (hashes a second).
    public var hashRate = 4_000
    /// More command-line arguments.
    public var extra: [String] = []

    /// Options with a free peer port.
    public init(trackers: [String] = [], peers: [String] = [], listen: Bool = true, mine: Bool = true, extra: [String] = []) throws {
        peerPort = try freePort()
        self.trackers = trackers
        self.peers = peers
        self.listen = listen
        self.mine = mine
        self.extra = extra
    }

    /// Where peers reach it.
    public var peerAddress: String { "127.0.0.1:\(peerPort)" }

    /// The command line these make.
    public var arguments: [String] {
        var arguments: [String] = listen ? ["--listen", peerAddress] : []
        for tracker in trackers { arguments += ["--tracker", tracker] }
        for peer in peers { arguments += ["--peer", peer] }
        arguments += mine ? ["--mine", "--mining-threads", "1", "--hash-rate-limit", String(hashRate)] : ["--no-mine"]
        return arguments + extra
    }
}
