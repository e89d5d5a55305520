/// A JSON-RPC error object: a stable code, a message a person can act on, optional details.
public struct RPCError: Error, Codable, Hashable, Sendable, CustomStringConvertible {
    /// The code (an `RPCErrorCode` raw value).
    public var code: Int
    /// What went wrong and what to do.
    public var message: String
    /// Machine-readable details, such as the txid, the key's owner or the versions of a
    /// conflict: strings, and integers where the value is a count (as everywhere else).
    public var data: [String: Detail]?

    /// One detail's value.
    public enum Detail: Codable, Hashable, Sendable, CustomStringConvertible {
        /// A string: a txid, a key, an owner's public key.
        case text(String)
        /// A whole number: a version count, a depth.
        case integer(Int64)

        /// Reads a JSON number as `.integer`, anything else as `.text`.
        public init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int64.self) { self = .integer(number) } else { self = .text(try container.decode(String.self)) }
        }

        /// Writes the value as a JSON string or number.
        public func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case let .text(text): try container.encode(text)
            case let .integer(number): try container.encode(number)
            }
        }

        public var description: String {
            switch self {
            case let .text(text): text
            case let .integer(number): String(number)
            }
        }
    }

    /// An error with a known code and text details.
    public init(_ code: RPCErrorCode, _ message: String, data: [String: String]? = nil) {
        self.code = code.rawValue
        self.message = message
        self.data = data?.mapValues(Detail.text)
    }

    /// An error with a known code and details of any kind.
    public init(_ code: RPCErrorCode, _ message: String, details: [String: Detail]) {
        self.code = code.rawValue
        self.message = message
        self.data = details
    }

    /// The known code, if this is one.
    public var knownCode: RPCErrorCode? { RPCErrorCode(rawValue: code) }

    public var description: String { "\(message) (code \(code))" }
}
