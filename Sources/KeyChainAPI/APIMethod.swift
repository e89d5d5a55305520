/// The client API's methods.
public enum APIMethod: String, CaseIterable, Sendable {
    /// A put the node signs with its wallet key.
    case put
    /// A put the client signed.
    case submit
    /// Many signed puts in one request.
    case submitBatch = "submit_batch"
    /// A key's latest version.
    case get
    /// A key's versions, oldest first.
    case history
    /// A transaction's status.
    case tx
    /// Waits until a transaction reaches a depth, fails, or a timeout passes.
    case wait
    /// Waits until every one of many transactions is deep enough or has failed.
    case waitAll = "wait_all"
    /// Notifications for txids and new tips on this connection.
    case subscribe
    /// The node's state.
    case status
    /// The node's peer connections and bans.
    case peers
    /// A block by height or hash.
    case block
    /// Keys by prefix, paged.
    case keys
}
