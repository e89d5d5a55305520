import KeyChainCore

/// Tells a peer why its message was refused, before a disconnect or instead of a reply:
/// `command length u8 | command | code u8 | reason length u8 | reason (UTF-8) | hash 32`.
public struct RejectMessage: WireMessage {
    public static let command = "reject"
    public static let maxPayloadLength = 1 + 12 + 1 + 1 + 255 + 32

    /// Why.
    public enum Code: UInt8, Sendable {
        case malformed = 1
        case invalid = 0x10
        case wrongNetwork = 0x11
        case duplicate = 0x12
        case obsolete = 0x13
    }

    /// The command of the message refused.
    public var rejectedCommand: String
    /// What kind of refusal.
    public var code: Code
    /// Why, for a person (at most 255 bytes).
    public var reason: String
    /// The block or txid concerned (zero if none).
    public var hash: Hash256

    public init(rejectedCommand: String, code: Code, reason: String, hash: Hash256 = .zero) {
        self.rejectedCommand = String(rejectedCommand.prefix(12))
        self.code = code
        self.reason = String(decoding: Array(reason.utf8.prefix(255)), as: UTF8.self)
        self.hash = hash
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(UInt8(rejectedCommand.utf8.count))
        writer.write(bytes: rejectedCommand.utf8)
        writer.write(code.rawValue)
        writer.write(UInt8(reason.utf8.count))
        writer.write(bytes: reason.utf8)
        writer.write(hash)
    }

    public init(from reader: inout ByteReader) throws(DecodingError) {
        let commandLength = Int(try reader.readUInt8("command length"))
        guard let command = String(validating: try reader.readBytes(commandLength, maximum: 12, "command"), as: UTF8.self) else {
            throw .invalidValue(field: "command", reason: "not valid UTF-8")
        }
        rejectedCommand = command
        let raw = try reader.readUInt8("code")
        guard let code = Code(rawValue: raw) else { throw .invalidValue(field: "code", reason: "unknown code \(raw)") }
        self.code = code
        let reasonLength = Int(try reader.readUInt8("reason length"))
        guard let reason = String(validating: try reader.readBytes(reasonLength, maximum: 255, "reason"), as: UTF8.self) else {
            throw .invalidValue(field: "reason", reason: "not valid UTF-8")
        }
        self.reason = reason
        hash = try reader.readHash("hash")
    }
}
