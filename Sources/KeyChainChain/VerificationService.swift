import KeyChainCore
import Synchronization

/// Where a node verifies signatures before the owner sees them: clients' writes, relayed puts
/// and blocks, into one `SignatureCache`, so the chain's own check finds them there and costs
/// a lookup. Two classes of threads, so a sync's bulk never delays what a miner or a client
/// waits for: `tip` at normal priority, `sync` at nice +10, below the event loops that answer
/// reads. A caller waits for its job without holding a thread (a peer's inbox is suspended, a
/// client's request stays "preparing"), and each caller has a bounded number of jobs in flight
/// (one read per peer, `RPCConnectionHandler.maxPreparing` requests per connection), so each
/// class's queue is bounded by its callers and pushes back on them.
public final class VerificationService: Sendable {
    /// Which work a job is, and so which threads run it.
    public enum Priority: Sendable {
        /// Client writes, relayed puts and a block at the network's tip: what a client and this
        /// node's miner wait for. Normal priority.
        case tip
        /// A sync's blocks: bulk work at nice +10.
        case sync
    }

    /// Where verified signatures are remembered.
    public let cache: SignatureCache

    /// A service over `cache`. The threads are the process's, sized by `CoreBudget.machine`
    /// and shared by every node in it (tests run many).
    public init(cache: SignatureCache) {
        self.cache = cache
    }

    /// Runs `job` on a thread of `priority`'s class: work that checks a signature or two
    /// (a client's put) and must not run on an event loop or a cooperative thread.
    public func run(_ priority: Priority, _ job: @escaping @Sendable () -> Void) {
        threads(priority).run([job])
    }

    /// Verifies those of `transactions` not cached yet into the cache, split over
    /// `priority`'s threads, then runs `completion` on one of them. A bad signature is simply
    /// not cached: the chain's check refuses it, with the rule it broke.
    public func verify(_ transactions: [Transaction], _ priority: Priority, then completion: @escaping @Sendable () -> Void) {
        let unchecked = cache.uncached(transactions)
        guard !unchecked.isEmpty else { return completion() }
        let threads = threads(priority)
        // Batches of at least 16: one signature at a time costs a fifth more each.
        let chunks = min(threads.count, max(unchecked.count / 16, 1))
        let size = (unchecked.count + chunks - 1) / chunks
        let remaining = Atomic<Int>(chunks)
        let cache = self.cache
        threads.run((0..<chunks).map { chunk in
            {
                cache.verify(unchecked[min(chunk * size, unchecked.count)..<min((chunk + 1) * size, unchecked.count)])
                if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { completion() }
            }
        })
    }

    /// Jobs of `priority`'s class waiting for a thread.
    public func waiting(_ priority: Priority) -> Int { threads(priority).waiting }

    private func threads(_ priority: Priority) -> VerifierThreads {
        switch priority {
        case .tip: VerifierThreads.tip
        case .sync: VerifierThreads.sync
        }
    }
}
