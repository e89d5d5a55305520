import KeyChainCore

/// Asks a peer to relay new blocks as compact blocks: pushed unsolicited at once (high
/// bandwidth) or announced by `headers` and fetched on request (low bandwidth). BIP152's
/// `sendcmpct`: `high bandwidth u8 (0 or 1) | version u64 (1)`.
public struct SendCompactMessage: WireMessage {
    public static let command = "sendcmpct"
    public static let maxPayloadLength = 9
    /// The compact-block version this node speaks.
    public static let currentVersion: UInt64 = 1
    /// Push compact blocks unsolicited (true) or only announce (false).
    public var highBandwidth: Bool
    /// The encoding version asked for; a node ignores versions it does not speak.
    public var version: UInt64

    public init(highBandwidth: Bool, version: UInt64 = Self.currentVersion) {
        self.highBandwidth = highBandwidth
        self.version = version
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(UInt8(highBandwidth ? 1 : 0))
        writer.write(version)
    }

    public init(from reader: inout ByteReader) throws(DecodingError) {
        let mode = try reader.readUInt8("high bandwidth")
        guard mode <= 1 else { throw .invalidValue(field: "high bandwidth", reason: "\(mode) is neither 0 nor 1") }
        highBandwidth = mode == 1
        version = try reader.readUInt64("compact block version")
    }
}
