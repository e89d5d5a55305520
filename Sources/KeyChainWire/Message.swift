import KeyChainCore

/// Every peer-to-peer message.
///
/// The cases whose payload is large inline (a transaction, a block header, a locator's stop
/// hash, strings) are `indirect`: boxed, so a `Message` is a few words and moving one (through
/// queues, action lists, the simulator's event heap) copies no more than that.
public enum Message: Sendable, Equatable {
    indirect case version(VersionMessage)
    case verack
    case ping(PingMessage)
    case pong(PongMessage)
    indirect case getHeaders(GetHeadersMessage)
    case headers(HeadersMessage)
    case inv(InvMessage)
    case getData(GetDataMessage)
    case notFound(NotFoundMessage)
    indirect case block(BlockMessage)
    indirect case tx(TransactionMessage)
    case getAddr
    case addr(AddrMessage)
    indirect case reject(RejectMessage)

    /// The message's command.
    public var command: String { body.command }

    /// The payload bytes.
    public var payload: [UInt8] { body.payload }

    private var body: (command: String, payload: [UInt8]) {
        switch self {
        case let .version(m): (VersionMessage.command, m.payload)
        case .verack: (VerackMessage.command, [])
        case let .ping(m): (PingMessage.command, m.payload)
        case let .pong(m): (PongMessage.command, m.payload)
        case let .getHeaders(m): (GetHeadersMessage.command, m.payload)
        case let .headers(m): (HeadersMessage.command, m.payload)
        case let .inv(m): (InvMessage.command, m.payload)
        case let .getData(m): (GetDataMessage.command, m.payload)
        case let .notFound(m): (NotFoundMessage.command, m.payload)
        case let .block(m): (BlockMessage.command, m.payload)
        case let .tx(m): (TransactionMessage.command, m.payload)
        case .getAddr: (GetAddrMessage.command, [])
        case let .addr(m): (AddrMessage.command, m.payload)
        case let .reject(m): (RejectMessage.command, m.payload)
        }
    }

    /// The largest payload a command may carry, or nil for an unknown command.
    public static func maxPayloadLength(for command: String) -> Int? {
        decoders[command]?.maxPayloadLength
    }

    /// Decodes a payload by its command.
    public static func decode(command: String, payload: [UInt8]) throws(WireError) -> Message {
        guard let decoder = decoders[command] else { throw .unknownCommand(command) }
        guard payload.count <= decoder.maxPayloadLength else {
            throw .oversized(command: command, length: payload.count, maximum: decoder.maxPayloadLength)
        }
        do { return try decoder.decode(payload) } catch {
            throw .malformedPayload(command: command, reason: error)
        }
    }

    private struct Decoder: Sendable {
        let maxPayloadLength: Int
        let decode: @Sendable ([UInt8]) throws(DecodingError) -> Message
    }

    private static func entry<M: WireMessage>(_ type: M.Type, _ wrap: @escaping @Sendable (M) -> Message) -> (String, Decoder) {
        (M.command, Decoder(maxPayloadLength: M.maxPayloadLength) { (bytes: [UInt8]) throws(DecodingError) -> Message in wrap(try M(payload: bytes)) })
    }

    private static let decoders: [String: Decoder] = Dictionary(uniqueKeysWithValues: [
        entry(VersionMessage.self, Message.version),
        entry(VerackMessage.self) { _ in .verack },
        entry(PingMessage.self, Message.ping),
        entry(PongMessage.self, Message.pong),
        entry(GetHeadersMessage.self, Message.getHeaders),
        entry(HeadersMessage.self, Message.headers),
        entry(InvMessage.self, Message.inv),
        entry(GetDataMessage.self, Message.getData),
        entry(NotFoundMessage.self, Message.notFound),
        entry(BlockMessage.self, Message.block),
        entry(TransactionMessage.self, Message.tx),
        entry(GetAddrMessage.self) { _ in .getAddr },
        entry(AddrMessage.self, Message.addr),
        entry(RejectMessage.self, Message.reject),
    ])
}
