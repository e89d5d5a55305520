import Foundation
import KeyChainChain
import KeyChainCore
import Synchronization

/// Threads that verify peers' signatures at a lower CPU priority (nice +10) than the event
/// loops that answer clients. A sync keeps every core busy verifying; at the same priority a
/// `get` would wait behind it for a time slice (its p99 rose twentyfold), while at nice +10
/// the scheduler runs the event loop first and verification takes what is left.
final class VerifierPool: @unchecked Sendable {
    /// The process's pool: a thread a core.
    static let shared = VerifierPool(threads: ProcessInfo.processInfo.activeProcessorCount)

    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private let threads: Int

    init(threads: Int) {
        self.threads = max(threads, 1)
        for index in 0..<self.threads {
            let thread = Thread { [self] in
                // Linux keeps a nice value per thread, and `who` 0 is the calling thread;
                // raising one's own needs no privilege.
                setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
                while true {
                    condition.lock()
                    while jobs.isEmpty { condition.wait() }
                    let job = jobs.removeFirst()
                    condition.unlock()
                    job()
                }
            }
            thread.name = "keychain.verifier.\(index)"
            thread.start()
        }
    }

    /// Verifies `transactions`' signatures into `cache`, split over the pool's threads, then
    /// runs `completion` (on one of them).
    func verify(_ transactions: [Transaction], into cache: SignatureCache, then completion: @escaping @Sendable () -> Void) {
        guard !transactions.isEmpty else { return completion() }
        let chunks = min(threads, max(transactions.count / 16, 1))
        let remaining = Atomic<Int>(chunks)
        let work: [() -> Void] = (0..<chunks).map { chunk in
            {
                // A contiguous range a thread, verified as one batch.
                let size = (transactions.count + chunks - 1) / chunks
                cache.verify(transactions[min(chunk * size, transactions.count)..<min((chunk + 1) * size, transactions.count)])
                if remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { completion() }
            }
        }
        condition.lock()
        jobs.append(contentsOf: work)
        condition.broadcast()
        condition.unlock()
    }
}
