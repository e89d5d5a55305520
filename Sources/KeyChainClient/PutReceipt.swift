import KeyChainAPI
import KeyChainCore

/// How a put ended.
public enum PutOutcome: Sendable, Equatable {
    /// On the best chain at least the asked depth.
    case confirmed(depth: UInt32, height: UInt32, block: Hash256)
    /// Refused (bad signature, replay, value too large...).
    case rejected(String)
    /// Compare-and-set lost: another version got there first.
    case conflict(String)
    /// Accepted, then dropped when the chain changed under it.
    case evicted(String)
    /// The asked depth was not reached in time.
    case timedOut
    /// The connection or the node failed.
    case failed(String)

    /// The outcome a client error stands for.
    public static func from(_ error: KeyChainClientError) -> PutOutcome { PutOutcome(error) }

    init(_ error: KeyChainClientError) {
        switch error {
        case let .rpc(rpc):
            switch rpc.knownCode {
            case .conflict?: self = .conflict(rpc.message)
            case .evicted?: self = .evicted(rpc.message)
            case .timeout?: self = .timedOut
            case .rejected?, .notOwner?, .mempoolFull?: self = .rejected(rpc.message)
            default: self = .failed(rpc.message)
            }
        default:
            self = .failed(error.description)
        }
    }
}

/// The answer to a put: its txid now, its outcome later (by `await` or by callback).
public final class PutReceipt: Sendable {
    /// The put's txid.
    public let txid: Hash256
    private let task: Task<PutOutcome, Never>

    init(txid: Hash256, outcome: @escaping @Sendable () async -> PutOutcome) {
        self.txid = txid
        self.task = Task { await outcome() }
    }

    /// How the put ended.
    public var outcome: PutOutcome {
        get async { await task.value }
    }

    /// Calls `callback` once with the outcome, from another task.
    public func onOutcome(_ callback: @escaping @Sendable (PutOutcome) -> Void) {
        let task = self.task
        Task { callback(await task.value) }
    }
}
