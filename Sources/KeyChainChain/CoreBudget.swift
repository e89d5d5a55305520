import Foundation

/// How a node's threads are sized against the machine's cores, decided in one place
/// (docs/ARCHITECTURE.md §9). At normal priority the client event loops, the owner and the
/// `tip` verifiers share the cores, and nothing there sleeps on another's work; the miner is
/// capped by its hash rate on a network; `sync` verifiers run at nice +10 and take what the
/// rest leaves, so a sync uses every idle cycle without delaying a read.
public struct CoreBudget: Sendable {
    /// The cores this process may run on.
    public let cores: Int

    /// The budget for `cores` cores.
    public init(cores: Int) { self.cores = max(cores, 1) }

    /// This machine's.
    public static let machine = CoreBudget(cores: ProcessInfo.processInfo.activeProcessorCount)

    /// Event loops for client connections: one a core, so a `get` waits for no other loop's work.
    public var clientLoops: Int { cores }
    /// The event loop every peer connection shares: it only reads, cuts frames and writes.
    public var peerLoops: Int { 1 }
    /// `VerificationService.Priority.tip` threads: one a core, so a tip block's or a batch's
    /// signatures are checked on every core while a miner or a client waits.
    public var tipVerifiers: Int { cores }
    /// `VerificationService.Priority.sync` threads, at nice +10: one a core.
    public var syncVerifiers: Int { cores }
    /// Threads the chain's own check splits a block's uncached signatures over (rare: the
    /// service has checked a peer's blocks before they arrive there).
    public var blockCheckWorkers: Int { cores }
    /// Mining threads on a network unless `--mining-threads` says otherwise: one, rate-capped,
    /// so several nodes on one machine leave room for validation and clients.
    public var networkMiners: Int { 1 }
    /// Mining threads with `--dev`: two, or the cores if fewer. A block there is sealed only
    /// when puts wait, and the client is waiting for it.
    public var devMiners: Int { min(2, cores) }
}
