import Foundation

/// Starts child processes from one thread that lives as long as the test process. The
/// kernel sends `setpriv --pdeathsig`'s signal when the *thread* that forked the child exits,
/// not its process, and the concurrency pool's threads exit after a few idle seconds: a node
/// started from one of them was killed mid-test.
public final class Spawner: @unchecked Sendable {
    /// The one spawner.
    public static let shared = Spawner()
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    private init() {
        let thread = Thread { [self] in
            while true {
                condition.lock()
                while jobs.isEmpty { condition.wait() }
                let job = jobs.removeFirst()
                condition.unlock()
                job()
            }
        }
        thread.name = "process spawner"
        thread.start()
    }

    /// Runs `process.run()` on the spawner thread and returns its outcome.
    public func run(_ process: Process) throws {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var failure: Error?
        condition.lock()
        jobs.append {
            do { try process.run() } catch { failure = error }
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        if let failure { throw failure }
    }
}
