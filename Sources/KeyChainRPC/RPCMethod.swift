import KeyChainAPI
import KeyChainOwner

/// How one API method is carried out: where its params are decoded and where it runs. There
/// are four kinds (below); `RPCMethod+Table` gives each `APIMethod` its own.
struct RPCMethod: Sendable {
    /// The step for one request of this method.
    let step: @Sendable (RPCCall) -> RPCStep

    /// A read of the published view, answered on the connection's event loop.
    static func read<Params: Decodable & Sendable, Output: Codable & Sendable>(
        _ type: Params.Type, optional: Bool = false,
        _ body: @escaping @Sendable (ChainView, Params, RPCCall) -> Result<Output, NodeRequestError>
    ) -> RPCMethod {
        RPCMethod { call in
            switch call.params(type, optional: optional) {
            case let .failure(error): .reply(call.failure(error))
            case let .success(params): .read { view in call.answer(body(view, params, call)) }
            }
        }
    }

    /// A read whose reply is written by `json` (`JSONText`) instead of the encoder: for a
    /// reply long enough that the encoder's time shows.
    static func read<Params: Decodable & Sendable, Output: Sendable>(
        _ type: Params.Type, writing json: @escaping @Sendable (RPCID, Output) -> String,
        _ body: @escaping @Sendable (ChainView, Params) -> Result<Output, NodeRequestError>
    ) -> RPCMethod {
        RPCMethod { call in
            switch call.params(type, optional: false) {
            case let .failure(error): .reply(call.failure(error))
            case let .success(params): .read { view in call.answer(body(view, params), writing: json) }
            }
        }
    }

    /// A read of the published view whose answer is built on the listing queue.
    static func listing<Params: Decodable & Sendable, Output: Codable & Sendable>(
        _ type: Params.Type, optional: Bool = false,
        _ body: @escaping @Sendable (ChainView, Params) -> Result<Output, NodeRequestError>
    ) -> RPCMethod {
        RPCMethod { call in
            switch call.params(type, optional: optional) {
            case let .failure(error): .reply(call.failure(error))
            case let .success(params): .listing { view in call.answer(body(view, params)) }
            }
        }
    }

    /// Work for the owner whose params are cheap to decode (on the event loop): `body` hands
    /// it to the node and reports through the handle.
    static func owner<Params: Decodable & Sendable>(
        _ type: Params.Type, optional: Bool = false,
        _ body: @escaping @Sendable (Params, RPCCall, RPCReplyHandle) -> Void
    ) -> RPCMethod {
        RPCMethod { call in
            switch call.params(type, optional: optional) {
            case let .failure(error): .reply(call.failure(error))
            case let .success(params): .deliver(.owner { handle in body(params, call, handle) })
            }
        }
    }

    /// A write whose params take work to check (signatures, thousands of txids): decoded and
    /// checked off the event loop; `body` says what to hand the owner.
    static func prepared<Params: Decodable & Sendable>(
        _ type: Params.Type, _ body: @escaping @Sendable (Params, RPCCall) -> RPCDelivery
    ) -> RPCMethod {
        RPCMethod { call in
            .prepare {
                switch call.params(type, optional: false) {
                case let .failure(error): .reply(call.failure(error))
                case let .success(params): body(params, call)
                }
            }
        }
    }
}
