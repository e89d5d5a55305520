/// A frame cut from the stream whose header has been checked (magic, command, length) but whose
/// payload has been neither hashed nor decoded: a transport cuts frames where bytes arrive (an
/// event loop, which must stay quick) and opens them elsewhere.
public struct RawFrame: Sendable {
    /// The frame's command, checked printable and known.
    public let command: String
    /// The checksum the frame carries (SHA-256d(payload)'s first 4 bytes, in order).
    let checksum: UInt32
    /// The payload, as sent.
    let payload: [UInt8]

    /// Bytes the frame took on the wire.
    public var size: Int { Frame.headerSize + payload.count }

    /// The message: the checksum checked (a SHA-256d over the payload), then the payload
    /// decoded. A throw means the connection must close.
    public func message() throws(WireError) -> Message {
        guard Frame.checksum(payload) == checksum else { throw .badChecksum(command: command) }
        return try Message.decode(command: command, payload: payload)
    }
}
