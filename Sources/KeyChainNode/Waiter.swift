import KeyChainAPI
import KeyChainCore
import Synchronization

/// A client's `wait`: the txids it waits on, the depth it wants, and how to answer it once.
final class Waiter: Sendable {
    private static let counter = Atomic<UInt64>(0)

    private enum State {
        case waiting(CheckedContinuation<Result<[TxStatusResult], RPCError>, Never>?)
        case finished(Result<[TxStatusResult], RPCError>)
    }

    let id: UInt64
    let txids: [Hash256]
    let depth: UInt32
    private let state = Mutex(State.waiting(nil))

    init(txids: [Hash256], depth: UInt32) {
        id = Self.counter.add(1, ordering: .relaxed).newValue
        self.txids = txids
        self.depth = depth
    }

    /// The answer, once `finish` gives it.
    func result() async -> Result<[TxStatusResult], RPCError> {
        await withCheckedContinuation { continuation in
            let ready: Result<[TxStatusResult], RPCError>? = state.withLock { state in
                if case let .finished(result) = state { return result }
                state = .waiting(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Answers the waiter; later calls are ignored.
    func finish(_ result: Result<[TxStatusResult], RPCError>) {
        let continuation = state.withLock { state -> CheckedContinuation<Result<[TxStatusResult], RPCError>, Never>?? in
            guard case let .waiting(continuation) = state else { return nil }
            state = .finished(result)
            return .some(continuation)
        }
        if case let .some(.some(waiting)) = continuation { waiting.resume(returning: result) }
    }
}
