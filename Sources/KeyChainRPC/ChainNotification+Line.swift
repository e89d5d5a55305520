import Foundation
import KeyChainAPI
import KeyChainOwner

extension ChainNotification {
    /// The notification line a subscriber is sent (docs/PROTOCOL.md §8: `tip` and `tx`), with
    /// its keys sorted.
    var line: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data?
        switch self {
        case let .tip(height, hash):
            data = try? encoder.encode(RPCNotification(method: "tip", params: TipNotification(height: height, hash: hash.hex)))
        case let .transaction(status):
            data = try? encoder.encode(RPCNotification(method: "tx", params: TxStatusResult(status)))
        }
        return data.map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
