import Dispatch

/// The owner's serial executor: its dispatch queue. `ChainOwner` is an actor on it, so the
/// compiler checks that its state is touched only in its isolation, and the mailbox's turns,
/// which run on the queue, enter that isolation synchronously (`assumeIsolated`, checked at
/// run time by `checkIsolated`) without a hop through the cooperative pool.
final class OwnerQueueExecutor: SerialExecutor {
    /// The queue the owner's turns run on.
    let queue: DispatchQueue

    /// An executor on a new serial queue named `label`.
    init(label: String) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    func checkIsolated() {
        dispatchPrecondition(condition: .onQueue(queue))
    }
}
