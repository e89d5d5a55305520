import KeyChainCore

/// A `wait` as the owner takes it.
struct WaitRequest: Sendable {
    let txids: [Hash256]
    let depth: UInt32
    let timeout: Duration
    /// `wait_all` (every status) rather than `wait` (the first failure is the answer).
    let all: Bool
    let connection: UInt64
}
