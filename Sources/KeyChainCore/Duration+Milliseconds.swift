extension Duration {
    /// The duration in whole milliseconds, never negative: the node's timers and the API's
    /// `timeoutMs` count in milliseconds.
    public var wholeMilliseconds: UInt64 {
        let milliseconds = components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000
        return UInt64(max(milliseconds, 0))
    }
}
