import Foundation

/// How a value travels in JSON: as text when it is UTF-8, as base64 otherwise.
public enum ValueEncoding: String, Codable, Sendable {
    case utf8
    case base64

    /// The encoding a node uses for `bytes`: utf8 when they are valid UTF-8.
    public static func choose(for bytes: [UInt8]) -> ValueEncoding {
        String(validating: bytes, as: UTF8.self) == nil ? .base64 : .utf8
    }

    /// The text form of `bytes` in this encoding.
    public func text(_ bytes: [UInt8]) -> String {
        switch self {
        case .utf8: String(decoding: bytes, as: UTF8.self)
        case .base64: Data(bytes).base64EncodedString()
        }
    }

    /// The bytes `text` stands for, or nil if it is not valid base64.
    public func bytes(_ text: String) -> [UInt8]? {
        switch self {
        case .utf8: Array(text.utf8)
        case .base64: Data(base64Encoded: text).map { Array($0) }
        }
    }
}
