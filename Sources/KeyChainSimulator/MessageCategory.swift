import KeyChainWire

/// What a sent message is counted as: its command, with inventory messages split by what they
/// carry ("getdata.block", "getdata.tx", "inv.tx", ...), so costs can be charged to blocks or
/// to puts. A small integer, so counting a send is an array increment.
enum MessageCategory: Int, CaseIterable {
    case version, verack, ping, pong, getHeaders, headers, block, tx, getAddr, addr, reject
    case sendCompact, compactBlock, getBlockTransactions, blockTransactions, reconcile, reconcileDifference
    case invBlock, invTx, getDataBlock, getDataTx, notFoundBlock, notFoundTx

    init(_ message: Message) {
        switch message {
        case .version: self = .version
        case .verack: self = .verack
        case .ping: self = .ping
        case .pong: self = .pong
        case .getHeaders: self = .getHeaders
        case .headers: self = .headers
        case .block: self = .block
        case .tx: self = .tx
        case .getAddr: self = .getAddr
        case .addr: self = .addr
        case .reject: self = .reject
        case .sendCompact: self = .sendCompact
        case .compactBlock: self = .compactBlock
        case .getBlockTransactions: self = .getBlockTransactions
        case .blockTransactions: self = .blockTransactions
        case .reconcile: self = .reconcile
        case .reconcileDifference: self = .reconcileDifference
        case let .inv(m): self = m.inventory.items.first?.kind == .transaction ? .invTx : .invBlock
        case let .getData(m): self = m.inventory.items.first?.kind == .transaction ? .getDataTx : .getDataBlock
        case let .notFound(m): self = m.inventory.items.first?.kind == .transaction ? .notFoundTx : .notFoundBlock
        }
    }

    /// The name reports use.
    var name: String {
        switch self {
        case .version: VersionMessage.command
        case .verack: VerackMessage.command
        case .ping: PingMessage.command
        case .pong: PongMessage.command
        case .getHeaders: GetHeadersMessage.command
        case .headers: HeadersMessage.command
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
        case .invBlock: "inv.block"
        case .invTx: "inv.tx"
        case .getDataBlock: "getdata.block"
        case .getDataTx: "getdata.tx"
        case .notFoundBlock: "notfound.block"
        case .notFoundTx: "notfound.tx"
        }
    }
}
