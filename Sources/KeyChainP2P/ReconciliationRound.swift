import KeyChainCore

/// A round of put reconciliation this node opened with one peer and awaits the answer to:
/// the peer, the round's salt, and which of its waiting puts each short id it sent stands for.
struct ReconciliationRound {
    let peer: PeerID
    let salt: UInt64
    let transactions: [UInt64: Hash256]
}
