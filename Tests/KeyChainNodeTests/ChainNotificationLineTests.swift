import KeyChainAPI
import KeyChainChain
import KeyChainCore
import Testing

@testable import KeyChainOwner
@testable import KeyChainRPC

/// The owner says what happened in its own types; the RPC edge words it as docs/PROTOCOL.md
/// §8 gives it. Golden lines, one per kind of status and notification.
@Suite struct ChainNotificationLineTests {
    static let txid = Hash256(sha256d: Array("a put".utf8))
    static let block = Hash256(sha256d: Array("a block".utf8))

    @Test(arguments: [
        (ChainNotification.tip(height: 3, hash: block),
         #"{"jsonrpc":"2.0","method":"tip","params":{"hash":"\#(block.hex)","height":3}}"#),
        (.transaction(TransactionStatus(txid, .pending)),
         #"{"jsonrpc":"2.0","method":"tx","params":{"status":"pending","txid":"\#(txid.hex)"}}"#),
        (.transaction(TransactionStatus(txid, .confirmed, confirmation: .init(depth: 2, height: 7, block: block))),
         #"{"jsonrpc":"2.0","method":"tx","params":{"block":"\#(block.hex)","depth":2,"height":7,"status":"confirmed","txid":"\#(txid.hex)"}}"#),
        (.transaction(TransactionStatus(txid, .evicted, outcome: TransactionOutcome(state: .evicted, error: .conflict(key: "k", expected: 0, actual: 1)))),
         #"{"jsonrpc":"2.0","method":"tx","params":{"code":-32014,"reason":"evicted after the chain changed: \#(TransactionError.conflict(key: "k", expected: 0, actual: 1).description)","status":"evicted","txid":"\#(txid.hex)"}}"#),
    ])
    func aNotificationIsWordedAtTheEdge(notification: ChainNotification, line: String) {
        #expect(notification.line == line)
    }

    /// A txid the node never saw (a `wait_all` entry) reads as a `tx` for it would fail.
    @Test func anUnknownTransactionReadsAsNotFound() {
        let status = TxStatusResult(TransactionStatus(Self.txid, .unknown))
        let error = NodeRequestError.transactionNotFound(Self.txid)
        #expect(status == TxStatusResult(txid: Self.txid.hex, status: .rejected, reason: error.description, code: -32002))
    }
}
