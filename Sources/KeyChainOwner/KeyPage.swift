/// One page of a key listing, in byte order.
public struct KeyPage: Sendable, Hashable {
    /// The keys on this page.
    public let keys: [String]
    /// The last key of the page when more follow (the next page's `after`), or nil.
    public let next: String?
}
