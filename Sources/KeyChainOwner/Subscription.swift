import Foundation
import KeyChainAPI
import KeyChainCore

/// One connection's notifications: the txids it follows (with the last state sent) and whether
/// it wants new tips.
struct Subscription {
    let sink: @Sendable (String) -> Void
    var tips = false
    var txids: [Hash256: TxState?] = [:]

    init(sink: @escaping @Sendable (String) -> Void) { self.sink = sink }

    /// A notification line.
    static func line<Params: Codable & Sendable>(method: String, _ params: Params) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(RPCNotification(method: method, params: params)) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }
}
