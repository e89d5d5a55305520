import Dispatch
import KeyChainStore
import Logging
import NIOConcurrencyHelpers
import Synchronization

/// Writes the key index's chain updates to its database behind the chain, on a queue of its
/// own, in order: the chain's owner hands over each update's steps and goes on, and drops
/// from memory what the database has recorded (`written`). Updates that wait while one is
/// being written go in together, in one transaction that ends at the last of them; the
/// database is always at the end of some update, a state the best chain once had.
final class KeyIndexFlusher: Sendable {
    private let database: KeyIndexDatabase
    private let queue = DispatchQueue(label: "keychain.chain.keyindex")
    private let waiting = NIOLockedValueBox<(steps: [KeyIndexStep], sequence: UInt64)>(([], 0))
    private let writtenSequence: Synchronization.Atomic<UInt64>
    private let logger: Logger

    /// A writer into `database`, which holds every update up to `written`.
    init(database: KeyIndexDatabase, written: UInt64, logger: Logger) {
        self.database = database
        writtenSequence = Atomic(written)
        self.logger = logger
    }

    /// The last update the database holds.
    var written: UInt64 { writtenSequence.load(ordering: .acquiring) }

    /// Writes `steps`, update `sequence`, after every update handed over before it.
    func write(_ steps: [KeyIndexStep], sequence: UInt64) {
        let wasIdle = waiting.withLockedValue { waiting in
            defer { waiting = (waiting.steps + steps, sequence) }
            return waiting.steps.isEmpty
        }
        if wasIdle { queue.async { self.writeWaiting() } }
    }

    private func writeWaiting() {
        let (steps, sequence) = waiting.withLockedValue { waiting in
            defer { waiting.steps = [] }
            return waiting
        }
        guard !steps.isEmpty else { return }
        do {
            try database.write(steps, sequence: sequence)
            writtenSequence.store(sequence, ordering: .releasing)
            // The owner's lookups move to a snapshot that includes this write (any snapshot at
            // least as new as what it dropped from memory serves them): an old one held open
            // while writes go on would keep the write-ahead log from being checkpointed, and
            // it grew by hundreds of megabytes during an import.
            database.refreshLookups()
        } catch {
            // Kept, ahead of whatever comes next, and tried again: the index in memory keeps
            // them meanwhile (a full disk stops the blocks too, and the node waits for room).
            logger.error("could not write the key index; trying again in a second", metadata: ["error": "\(error)"])
            waiting.withLockedValue { waiting in waiting.steps = steps + waiting.steps }
            queue.asyncAfter(deadline: .now() + 1) { self.writeWaiting() }
        }
    }

    /// Returns once every update handed over so far has been written (or has failed once).
    func drain() {
        queue.sync {}
    }
}
