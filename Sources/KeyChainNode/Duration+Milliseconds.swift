extension Duration {
    /// The duration in whole milliseconds, never negative: the owner's timers count in the
    /// chain clock's milliseconds.
    var wholeMilliseconds: UInt64 {
        let milliseconds = components.seconds * 1_000 + components.attoseconds / 1_000_000_000_000_000
        return UInt64(max(milliseconds, 0))
    }
}
