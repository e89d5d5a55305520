import KeyChainP2P
import KeyChainWire

extension ProtocolEvent {
    /// Whether the event moves a block along (a header, a body, a request for a body), which
    /// the owner takes before waiting puts (`OwnerMailbox`).
    var concernsBlocks: Bool {
        guard case let .received(_, message) = self else { return false }
        switch message {
        case .headers, .block: return true
        case let .getData(request): return request.inventory.items.contains { $0.kind == .block }
        default: return false
        }
    }
}
