import KeyChainCore

/// The frame around every message:
/// `magic 4 | command 12 (ASCII, NUL-padded) | length u32 | checksum 4 | payload`, where the
/// magic is the genesis hash's first 4 bytes and the checksum SHA-256d(payload)'s first 4.
public enum Frame {
    /// Bytes before the payload.
    public static let headerSize = 24
    /// No payload is larger, whatever the command.
    public static let maxPayloadLength = 4_000_000

    /// The frame magic of the network named by `genesis`.
    public static func magic(for genesis: Hash256) -> UInt32 {
        UInt32(truncatingIfNeeded: genesis.raw.w0 >> 32).byteSwapped
    }

    /// The framed message. Written straight into one array: every message a node (or the
    /// simulator) sends passes through here.
    public static func encode(_ message: Message, magic: UInt32) -> [UInt8] {
        encode(command: message.command, payload: message.payload, magic: magic)
    }

    static func encode(command: String, payload: [UInt8], magic: UInt32) -> [UInt8] {
        var frame: [UInt8] = []
        frame.reserveCapacity(headerSize + payload.count)
        withUnsafeBytes(of: magic.littleEndian) { frame.append(contentsOf: $0) }
        var padding = 12
        for byte in command.utf8.prefix(12) {
            frame.append(byte)
            padding -= 1
        }
        for _ in 0..<padding { frame.append(0) }
        withUnsafeBytes(of: UInt32(payload.count).littleEndian) { frame.append(contentsOf: $0) }
        withUnsafeBytes(of: checksum(payload).bigEndian) { frame.append(contentsOf: $0) }
        frame.append(contentsOf: payload)
        return frame
    }

    /// SHA-256d(payload)'s first 4 bytes, as a big-endian integer (the bytes in order).
    static func checksum(_ payload: [UInt8]) -> UInt32 {
        UInt32(truncatingIfNeeded: Hash256(sha256d: payload).raw.w0 >> 32)
    }
}

/// Cuts frames from a byte stream and decodes their messages. Checks the magic, the command and
/// the length as soon as a header is complete, before waiting for (or buffering) the payload;
/// `nextFrame` stops there, and the checksum and the payload are left to `RawFrame.message()`.
public struct FrameDecoder: Sendable {
    /// The network's magic.
    public let magic: UInt32
    private var buffer: [UInt8] = []
    private var start = 0

    /// A decoder for one network.
    public init(magic: UInt32) { self.magic = magic }

    /// A decoder for one network holding `bytes` already, without copying them (a transport
    /// that receives whole frames).
    public init(magic: UInt32, bytes: [UInt8]) {
        self.magic = magic
        buffer = bytes
    }

    /// Bytes held that do not yet make a frame.
    public var buffered: Int { buffer.count - start }

    /// Adds bytes read from the connection.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0 && start * 2 > buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete message, or nil until more bytes arrive. After a throw the stream is
    /// unusable: close the connection.
    public mutating func next() throws(WireError) -> Message? {
        try nextFrame()?.message()
    }

    /// The next complete frame, its header checked and its payload not yet opened, or nil
    /// until more bytes arrive. After a throw the stream is unusable: close the connection.
    public mutating func nextFrame() throws(WireError) -> RawFrame? {
        guard buffered >= Frame.headerSize else { return nil }
        var reader = ByteReader(buffer, range: start..<buffer.count)
        let frameMagic = (try? reader.readUInt32("magic")) ?? 0
        guard frameMagic == magic else { throw .wrongNetwork(expected: magic, actual: frameMagic) }
        guard let commandBytes = try? reader.readBytes(12, maximum: 12, "command") else { return nil }
        let command = try Self.command(commandBytes)
        guard let maximum = Message.maxPayloadLength(for: command) else { throw .unknownCommand(command) }
        let length = Int((try? reader.readUInt32("length")) ?? 0)
        guard length <= min(maximum, Frame.maxPayloadLength) else {
            throw .oversized(command: command, length: length, maximum: min(maximum, Frame.maxPayloadLength))
        }
        guard let checksum = try? reader.readUInt32("checksum") else { return nil }
        guard reader.remaining >= length, let payload = try? reader.readBytes(length, maximum: length, "payload") else { return nil }
        start += Frame.headerSize + length
        return RawFrame(command: command, checksum: checksum.byteSwapped, payload: payload)
    }

    /// The command: printable ASCII, then only NULs.
    static func command(_ bytes: [UInt8]) throws(WireError) -> String {
        let end = bytes.firstIndex(of: 0) ?? bytes.count
        guard end > 0, bytes[..<end].allSatisfy({ (0x21...0x7E).contains($0) }), bytes[end...].allSatisfy({ $0 == 0 }) else {
            throw .malformedCommand
        }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}
