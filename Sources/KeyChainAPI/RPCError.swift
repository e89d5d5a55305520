/// A JSON-RPC error object: a stable code, a message a person can act on, optional details.
public struct RPCError: Error, Codable, Hashable, Sendable, CustomStringConvertible {
    /// The code (an `RPCErrorCode` raw value).
    public var code: Int
    /// What went wrong and what to do.
    public var message: String
    /// Machine-readable details, such as the txid or the key's owner.
    public var data: [String: String]?

    /// An error with a known code.
    public init(_ code: RPCErrorCode, _ message: String, data: [String: String]? = nil) {
        self.code = code.rawValue
        self.message = message
        self.data = data
    }

    /// The known code, if this is one.
    public var knownCode: RPCErrorCode? { RPCErrorCode(rawValue: code) }

    public var description: String { "\(message) (code \(code))" }
}
