import Foundation

/// What every request line must hold; `params` is decoded separately per method.
public struct RPCRequestHead: Decodable, Sendable {
    /// Must be "2.0".
    public var jsonrpc: String?
    /// Absent for a notification (no reply is sent).
    public var id: RPCID?
    /// The method name.
    public var method: String
}

/// A request with typed params, for encoding (client) and decoding (node).
public struct RPCRequest<Params: Codable & Sendable>: Codable, Sendable {
    /// Always "2.0".
    public var jsonrpc = "2.0"
    /// The id the reply will carry.
    public var id: RPCID?
    /// The method name.
    public var method: String
    /// The method's params.
    public var params: Params

    /// A request.
    public init(id: RPCID?, method: String, params: Params) {
        self.id = id
        self.method = method
        self.params = params
    }
}

/// The params of a method that takes none.
public struct NoParams: Codable, Sendable, Hashable {
    /// No params.
    public init() {}
}
