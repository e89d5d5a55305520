/// The API's stable error codes. The JSON-RPC range (-32700...-32600) is the protocol's own;
/// the application codes (-32001 and below) say what went wrong with the request's content.
public enum RPCErrorCode: Int, Codable, Sendable, CaseIterable {
    /// The line is not JSON.
    case parseError = -32700
    /// JSON, but not a JSON-RPC 2.0 request object (or longer than the line limit).
    case invalidRequest = -32600
    /// No such method.
    case methodNotFound = -32601
    /// A missing field, a wrong type, an out-of-range value.
    case invalidParams = -32602
    /// The node failed; the message says how.
    case internalError = -32603
    /// The key has no versions.
    case keyNotFound = -32001
    /// No transaction with this txid is known.
    case transactionNotFound = -32002
    /// No block at this height or with this hash.
    case blockNotFound = -32003
    /// The put was refused: bad signature, value too large, replay, duplicate, or malformed.
    case rejected = -32010
    /// Compare-and-set failed: the key's version count is not the expected one.
    case conflict = -32011
    /// The key belongs to another author.
    case notOwner = -32012
    /// The mempool is full; retry later.
    case mempoolFull = -32013
    /// A put that had been accepted was dropped when the chain changed under it.
    case evicted = -32014
    /// `wait` reached its timeout before the depth.
    case timeout = -32020
    /// The node is shutting down.
    case unavailable = -32030
}
