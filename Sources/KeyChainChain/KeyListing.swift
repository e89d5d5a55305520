import NIOConcurrencyHelpers
import Synchronization

/// The sorted key list behind prefix listings, built when a listing asks for it rather than
/// kept up to date on every put: writes stay cheap (an import adds keys by the hundred
/// thousand, and a snapshot of a sorted list would be copied on every block), and a listing
/// after a change pays one sort. Shared by every copy of a `KeyIndex`; each key set is named
/// by a stamp no other key set gets, so a cached list is never served for another.
final class KeyListing: Sendable {
    private static let stamps = Atomic<UInt64>(0)
    private let cache = NIOLockedValueBox<(stamp: UInt64, keys: [KeyBytes])>((0, []))

    /// A stamp for a new key set.
    static func nextStamp() -> UInt64 { stamps.add(1, ordering: .relaxed).newValue }

    /// The keys of the key set `stamp` in byte order, sorting `keys()` if the cache holds
    /// another set.
    func sorted(stamp: UInt64, _ keys: () -> [KeyBytes]) -> [KeyBytes] {
        if let cached = cache.withLockedValue({ $0.stamp == stamp ? $0.keys : nil }) { return cached }
        let sorted = keys().sorted { $0.precedes($1) }
        cache.withLockedValue { $0 = (stamp, sorted) }
        return sorted
    }
}
