import KeyChainCore

/// Why a frame or message was refused. Every case is grounds to close the connection.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The frame starts with another network's magic.
    case wrongNetwork(expected: UInt32, actual: UInt32)
    /// The command field is not NUL-padded ASCII.
    case malformedCommand
    /// No message has this command.
    case unknownCommand(String)
    /// The payload is longer than the message (or the protocol) allows.
    case oversized(command: String, length: Int, maximum: Int)
    /// The checksum does not match the payload.
    case badChecksum(command: String)
    /// The payload does not decode as its message.
    case malformedPayload(command: String, reason: DecodingError)

    public var description: String {
        switch self {
        case let .wrongNetwork(expected, actual):
            "frame magic \(String(actual, radix: 16)) is another network's (expected \(String(expected, radix: 16)))"
        case .malformedCommand: "command field is not NUL-padded ASCII"
        case let .unknownCommand(command): "unknown command '\(command)'"
        case let .oversized(command, length, maximum): "\(command) payload of \(length) bytes exceeds \(maximum)"
        case let .badChecksum(command): "\(command) payload fails its checksum"
        case let .malformedPayload(command, reason): "malformed \(command): \(reason)"
        }
    }
}
