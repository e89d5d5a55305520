import KeyChainAPI
import KeyChainChain
import KeyChainCore
import KeyChainOwner

extension NodeRequestError {
    /// The JSON-RPC code for this failure (docs/PROTOCOL.md §8.2).
    package var code: RPCErrorCode {
        switch self {
        case .invalidKey, .invalidParameter: .invalidParams
        case .malformedTransaction: .rejected
        case let .refused(error): error.rpcError.knownCode ?? .rejected
        case let .failed(_, outcome): RPCErrorCode(rawValue: outcome.code) ?? .rejected
        case .keyNotFound: .keyNotFound
        case .transactionNotFound: .transactionNotFound
        case .blockNotFound: .blockNotFound
        case .timedOut: .timeout
        case .shuttingDown, .cannotStore, .overLimit: .unavailable
        case .storage: .internalError
        }
    }

    /// The JSON-RPC error a client sees.
    package var rpcError: RPCError {
        switch self {
        case let .refused(error):
            return error.rpcError
        case let .failed(txid, outcome):
            var error = RPCError(code, outcome.reason, data: ["txid": txid.hex])
            if let details = outcome.error.rpcError.data { error.data?.merge(details) { current, _ in current } }
            return error
        case let .keyNotFound(key):
            return RPCError(code, description, data: ["key": key])
        case let .transactionNotFound(txid):
            return RPCError(code, description, data: ["txid": txid.hex])
        case let .timedOut(_, depth):
            return RPCError(code, description, details: ["depth": .integer(Int64(depth))])
        default:
            return RPCError(code, description)
        }
    }
}
