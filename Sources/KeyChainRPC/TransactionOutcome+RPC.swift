import KeyChainAPI
import KeyChainChain
import KeyChainOwner

extension TransactionOutcome {
    /// The error code a status reports for this outcome: -32014 for an eviction, the
    /// refusal's own code otherwise.
    package var code: Int { state == .evicted ? RPCErrorCode.evicted.rawValue : error.rpcError.code }
}
