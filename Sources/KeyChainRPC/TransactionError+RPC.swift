import KeyChainAPI
import KeyChainChain
import KeyChainOwner

extension TransactionError {
    /// The JSON-RPC error a client sees for this refusal.
    package var rpcError: RPCError {
        switch self {
        case let .notOwner(key, owner):
            RPCError(.notOwner, description, data: ["key": key, "owner": owner.hex])
        case let .conflict(key, expected, actual):
            RPCError(.conflict, description, details: ["key": .text(key), "expected": .integer(Int64(expected)), "actual": .integer(Int64(actual))])
        case .mempoolFull:
            RPCError(.mempoolFull, description)
        case let .alreadyConfirmed(txid), let .duplicate(txid):
            RPCError(.rejected, description, data: ["txid": txid.hex])
        case .valueTooLarge, .badSignature:
            RPCError(.rejected, description)
        case .indexUnreadable:
            RPCError(.internalError, description)
        }
    }
}
