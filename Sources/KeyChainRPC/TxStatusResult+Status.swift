import KeyChainAPI
import KeyChainOwner

extension TxStatusResult {
    /// The API's account of `status` (docs/PROTOCOL.md §8): a txid the node never saw is
    /// reported as rejected, with the reason and code a `tx` for it would answer (-32002).
    init(_ status: TransactionStatus) {
        let txid = status.txid.hex
        switch status.state {
        case .pending:
            self.init(txid: txid, status: .pending)
        case .confirmed:
            self.init(txid: txid, status: .confirmed, depth: status.confirmation?.depth, height: status.confirmation?.height,
                      block: status.confirmation?.block.hex)
        case .rejected, .evicted:
            self.init(txid: txid, status: status.state == .evicted ? .evicted : .rejected, reason: status.outcome?.reason,
                      code: status.outcome?.code)
        case .unknown:
            let error = NodeRequestError.transactionNotFound(status.txid)
            self.init(txid: txid, status: .rejected, reason: error.description, code: error.code.rawValue)
        }
    }
}
