import KeyChainAPI
import KeyChainOwner

extension BlockResult {
    /// A stored block as `block` reports it: the header's fields in hex, and each put's
    /// txid, key, author and value size (not its value).
    init(_ report: BlockReport) {
        let header = report.node.header
        self.init(hash: report.node.hash.hex, height: report.node.height, version: header.version, previous: header.previous.hex,
                  merkleRoot: header.merkleRoot.hex, timestamp: header.timestamp, target: String(header.target, radix: 16),
                  nonce: header.nonce, confirmations: report.confirmations, onBestChain: report.onBestChain,
                  transactions: report.block.transactions.map {
                      .init(txid: $0.id.hex, key: $0.key, author: $0.author.hex, valueSize: $0.value.count)
                  })
    }
}
