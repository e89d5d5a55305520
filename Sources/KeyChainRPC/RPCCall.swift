import Foundation
import KeyChainAPI
import KeyChainOwner

/// One request as its method sees it: the node and connection it came on, its id, and the
/// means to decode its params and word its reply.
struct RPCCall: Sendable {
    /// The dispatcher of the connection the request came on.
    let dispatcher: RPCDispatcher
    /// The request's id (null when it had none).
    let id: RPCID
    /// The request line.
    let data: Data
    /// A notification (no id): carried out, never answered.
    let silent: Bool

    /// The node the request is for.
    var node: Node { dispatcher.node }
    /// The connection's number, for the owner's per-connection caps.
    var connection: UInt64 { dispatcher.connection }

    /// The request's params, or the -32602 error that says which field is wrong.
    func params<Params: Decodable & Sendable>(_ type: Params.Type, optional: Bool) -> Result<Params, RPCError> {
        dispatcher.decodeParams(data, type, optional: optional)
    }

    /// The reply line for a result (nil for a notification).
    func answer<Output: Codable & Sendable>(_ result: Result<Output, NodeRequestError>) -> String? {
        silent ? nil : dispatcher.encode(id, result)
    }

    /// The reply line for a result whose JSON `json` writes (nil for a notification).
    func answer<Output>(_ result: Result<Output, NodeRequestError>, writing json: (RPCID, Output) -> String) -> String? {
        guard !silent else { return nil }
        switch result {
        case let .success(value): return json(id, value)
        case let .failure(error): return dispatcher.encodeError(id, error.rpcError)
        }
    }

    /// The reply line for an error (nil for a notification).
    func failure(_ error: RPCError) -> String? {
        silent ? nil : dispatcher.encodeError(id, error)
    }
}
