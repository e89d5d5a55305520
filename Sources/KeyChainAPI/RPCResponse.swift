/// A reply: a result or an error, with the request's id.
public struct RPCResponse<Result: Codable & Sendable>: Codable, Sendable {
    /// Always "2.0".
    public var jsonrpc = "2.0"
    /// The request's id (null when the request could not be read).
    public var id: RPCID
    /// The result, on success.
    public var result: Result?
    /// The error, on failure.
    public var error: RPCError?

    /// A success.
    public init(id: RPCID, result: Result) {
        self.id = id
        self.result = result
        self.error = nil
    }

    /// A failure.
    public init(id: RPCID, error: RPCError) {
        self.id = id
        self.result = nil
        self.error = error
    }
}

/// What a client reads first from a line: enough to route it.
public struct RPCIncomingHead: Decodable, Sendable {
    /// Set on replies.
    public var id: RPCID?
    /// Set on notifications.
    public var method: String?
    /// Set on failed replies.
    public var error: RPCError?
}

/// A notification the node sends on a subscribed connection.
public struct RPCNotification<Params: Codable & Sendable>: Codable, Sendable {
    /// Always "2.0".
    public var jsonrpc = "2.0"
    /// "tx" or "tip".
    public var method: String
    /// What changed.
    public var params: Params

    /// A notification.
    public init(method: String, params: Params) {
        self.method = method
        self.params = params
    }
}
