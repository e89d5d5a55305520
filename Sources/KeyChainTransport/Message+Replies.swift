import KeyChainWire

extension Message {
    /// Whether the protocol answers this message to its sender (`version` with `verack`,
    /// `ping` with `pong`, `getheaders` with `headers`, `getdata` with what it names or
    /// `notfound`, `getaddr` with `addr`, `getblocktxn` with `blocktxn`, `reconcile` with `recondiff`): a reply sent ahead of the owner must not overtake
    /// the replies to these.
    var expectsReply: Bool {
        switch self {
        case .version, .ping, .getHeaders, .getData, .getAddr, .getBlockTransactions, .reconcile: true
        case .verack, .pong, .headers, .inv, .notFound, .block, .tx, .addr, .reject, .sendCompact, .compactBlock, .blockTransactions,
             .reconcileDifference: false
        }
    }
}
