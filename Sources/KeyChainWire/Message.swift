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
    case sendCompact(SendCompactMessage)
    indirect case compactBlock(CompactBlockMessage)
    indirect case getBlockTransactions(GetBlockTransactionsMessage)
    indirect case blockTransactions(BlockTransactionsMessage)
    case reconcile(ReconcileMessage)
    case reconcileDifference(ReconcileDifferenceMessage)

    /// The message's command. Named without encoding the payload: every frame sent and
    /// received is counted by command, and a block's payload is megabytes.
    public var command: String {
        switch self {
        case .version: VersionMessage.command
        case .verack: VerackMessage.command
        case .ping: PingMessage.command
        case .pong: PongMessage.command
        case .getHeaders: GetHeadersMessage.command
        case .headers: HeadersMessage.command
        case .inv: InvMessage.command
        case .getData: GetDataMessage.command
        case .notFound: NotFoundMessage.command
        case .block: BlockMessage.command
        case .tx: TransactionMessage.command
        case .getAddr: GetAddrMessage.command
        case .addr: AddrMessage.command
        case .reject: RejectMessage.command
        case .sendCompact: SendCompactMessage.command
        case .compactBlock: CompactBlockMessage.command
        case .getBlockTransactions: GetBlockTransactionsMessage.command
        case .blockTransactions: BlockTransactionsMessage.command
        case .reconcile: ReconcileMessage.command
        case .reconcileDifference: ReconcileDifferenceMessage.command
        }
    }

    /// The payload bytes.
    public var payload: [UInt8] {
        switch self {
        case let .version(m): m.payload
        case .verack, .getAddr: []
        case let .ping(m): m.payload
        case let .pong(m): m.payload
        case let .getHeaders(m): m.payload
        case let .headers(m): m.payload
        case let .inv(m): m.payload
        case let .getData(m): m.payload
        case let .notFound(m): m.payload
        case let .block(m): m.payload
        case let .tx(m): m.payload
        case let .addr(m): m.payload
        case let .reject(m): m.payload
        case let .sendCompact(m): m.payload
        case let .compactBlock(m): m.payload
        case let .getBlockTransactions(m): m.payload
        case let .blockTransactions(m): m.payload
        case let .reconcile(m): m.payload
        case let .reconcileDifference(m): m.payload
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
        entry(SendCompactMessage.self, Message.sendCompact),
        entry(CompactBlockMessage.self, Message.compactBlock),
        entry(GetBlockTransactionsMessage.self, Message.getBlockTransactions),
        entry(BlockTransactionsMessage.self, Message.blockTransactions),
        entry(ReconcileMessage.self, Message.reconcile),
        entry(ReconcileDifferenceMessage.self, Message.reconcileDifference),
    ])
}
