import DequeModule
import Dispatch
import Foundation
import NIOConcurrencyHelpers

/// A fixed set of threads at one nice value, taking jobs from one FIFO queue: one class of
/// `VerificationService`.
final class VerifierThreads: Sendable {
    private let jobs = NIOLockedValueBox(Deque<@Sendable () -> Void>())
    private let ready = DispatchSemaphore(value: 0)
    /// How many threads take jobs.
    let count: Int

    /// `count` threads named `name.N`, each `nice` steps below the process's priority.
    init(count: Int, nice: Int32, name: String) {
        self.count = max(count, 1)
        for index in 0..<self.count {
            let label = "\(name).\(index)"
            let thread = Thread { [jobs, ready] in
                // Named for `top -H` and /proc (15 bytes at most).
                Thread.current.name = String(label.prefix(15))
                // Linux keeps a nice value per thread, and `who` 0 is the calling thread;
                // raising one's own needs no privilege. Relative to the process's own.
                if nice != 0 {
                    let which = __priority_which_t(PRIO_PROCESS.rawValue)
                    setpriority(which, 0, min(getpriority(which, 0) + nice, 19))
                }
                while true {
                    ready.wait()
                    guard let job = jobs.withLockedValue({ $0.popFirst() }) else { continue }
                    job()
                }
            }
            thread.start()
        }
    }

    /// The process's threads at normal priority (`CoreBudget.tipVerifiers`).
    static let tip = VerifierThreads(count: CoreBudget.machine.tipVerifiers, nice: 0, name: "verifier.tip")
    /// The process's threads at nice +10 (`CoreBudget.syncVerifiers`).
    static let sync = VerifierThreads(count: CoreBudget.machine.syncVerifiers, nice: 10, name: "verifier.sync")

    /// Jobs waiting for a thread.
    var waiting: Int { jobs.withLockedValue(\.count) }

    /// Queues `work`, run in order of arrival by the first free thread.
    func run(_ work: [@Sendable () -> Void]) {
        guard !work.isEmpty else { return }
        jobs.withLockedValue { $0.append(contentsOf: work) }
        for _ in work { ready.signal() }
    }
}
