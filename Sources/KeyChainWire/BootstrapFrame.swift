import KeyChainCore

/// The one exchange before a node knows its network: a node joining with only `--peer`s asks a
/// peer for the genesis parameters. Frames as §9.1 lays out, with magic 0 (no network's):
/// `getnetwork` (empty payload) and the answer `network` (the parameters' encoding, §5), after
/// which the answering node closes the connection. A node accepts this only as the first frame
/// of a connection.
public enum BootstrapFrame {
    /// The magic of a frame sent before the network is known.
    public static let magic: UInt32 = 0
    static let requestCommand = "getnetwork"
    static let replyCommand = "network"
    /// The largest `network` payload (a name of 64 bytes and the numbers fit in far less).
    public static let maxReplyPayload = 1_024

    /// The request.
    public static let request = Frame.encode(command: requestCommand, payload: [], magic: magic)

    /// The answer carrying `parameters`.
    public static func reply(_ parameters: NetworkParameters) -> [UInt8] {
        Frame.encode(command: replyCommand, payload: parameters.encoded, magic: magic)
    }

    /// Whether `bytes` (the start of a connection) begin a bootstrap frame, so far as they go.
    public static func starts(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.prefix(4).allSatisfy { $0 == 0 }
    }

    /// Whether `bytes` hold a whole, valid request; nil while more may come.
    public static func isRequest(_ bytes: [UInt8]) -> Bool? {
        guard bytes.count >= request.count else { return request.starts(with: bytes) ? nil : false }
        return Array(bytes.prefix(request.count)) == request
    }

    /// The parameters in a `network` answer, checked; nil while more bytes may come.
    public static func parameters(in bytes: [UInt8]) throws(WireError) -> NetworkParameters? {
        guard bytes.count >= Frame.headerSize else { return nil }
        var reader = ByteReader(bytes)
        guard (try? reader.readUInt32("magic")) == magic else { throw .wrongNetwork(expected: magic, actual: 1) }
        guard let commandBytes = try? reader.readBytes(12, maximum: 12, "command") else { return nil }
        let command = try FrameDecoder.command(commandBytes)
        guard command == replyCommand else { throw .unknownCommand(command) }
        let length = Int((try? reader.readUInt32("length")) ?? 0)
        guard length <= maxReplyPayload else { throw .oversized(command: command, length: length, maximum: maxReplyPayload) }
        guard let checksum = try? reader.readUInt32("checksum") else { return nil }
        guard reader.remaining >= length, let payload = try? reader.readBytes(length, maximum: length, "payload") else { return nil }
        guard Frame.checksum(payload) == checksum.byteSwapped else { throw .badChecksum(command: command) }
        do { return try NetworkParameters(decoding: payload) } catch { throw .malformedPayload(command: command, reason: error) }
    }
}
