import CKeyChainNative
import NIOConcurrencyHelpers

/// Verification tables for the keys that sign most: a key seen `threshold` times gets its
/// multiples precomputed (about 30 KB, the cost of three or four verifications), and each
/// later verification then costs about 0.27 of libsodium's. A key used `wideThreshold` times
/// more gets wide tables (480 KB, about 1.7 ms to build), which take a third of the point
/// additions away again: an import, or any busy author, signs thousands of puts with one key.
/// Tables change the cost of a check, never its answer (see `kc_ed25519_key`).
final class PrecomputedKeys: Sendable {
    /// The process's cache: 1,024 keys, of which 8 wide, about 44 MB at most. A chain whose
    /// puts come from up to that many busy authors (a sync of a real network's history)
    /// verifies at table speed.
    static let shared = PrecomputedKeys(capacity: 1_024, threshold: 3, wideCapacity: 8, wideThreshold: 1_000)

    /// One key's tables; freed when the last verification using them ends. Unchecked: the C
    /// tables are written once, before the pointer is shared, and only read afterwards.
    final class Table: @unchecked Sendable {
        /// nil: the rule refuses this key itself, so every signature by it is invalid.
        let key: OpaquePointer?
        /// Whether these are the wide tables.
        let isWide: Bool
        init(_ key: OpaquePointer?, wide: Bool) {
            self.key = key
            self.isWide = wide
        }
        deinit { if let key { kc_ed25519_key_free(key) } }
    }

    private struct Entry {
        var table: Table
        var lastUse: UInt64
        var uses: Int
    }

    private struct State {
        var tables: [Bytes32: Entry] = [:]
        var sightings: [Bytes32: Int] = [:]
        var clock: UInt64 = 0
        /// Builds that evict allowed now: one more every 64 verifications, at most 16 banked.
        /// More busy keys than the cache holds would otherwise rebuild tables in rotation, each
        /// build costing about four verifications; this caps that waste near 6%. While the
        /// cache has room a build evicts nothing and wastes nothing, and is not rationed.
        var buildTokens = 16.0
        var builds = 0
    }

    private let state = NIOLockedValueBox(State())
    private let capacity: Int
    private let threshold: Int
    private let wideCapacity: Int
    private let wideThreshold: Int

    init(capacity: Int, threshold: Int, wideCapacity: Int = 0, wideThreshold: Int = .max) {
        self.capacity = capacity
        self.threshold = threshold
        self.wideCapacity = wideCapacity
        self.wideThreshold = max(wideThreshold, 1)
    }

    /// Tables built so far, narrow and wide.
    var builds: Int { state.withLockedValue { $0.builds } }

    /// The tables for `key` once it has been seen often enough; nil before.
    func table(for key: Bytes32) -> Table? {
        // One lock for the common case: the table, or whether to build one now.
        let (existing, due): (Table?, Bool) = state.withLockedValue { state in
            state.clock += 1
            if var entry = state.tables[key] {
                entry.lastUse = state.clock
                entry.uses += 1
                state.tables[key] = entry
                // Exactly at the threshold, so that one caller builds the wide tables.
                let widen = !entry.table.isWide && entry.table.key != nil && entry.uses == wideThreshold && wideCapacity > 0
                if widen { state.builds += 1 }
                return (entry.table, widen)
            }
            state.buildTokens = min(16, state.buildTokens + 1.0 / 64)
            // Bounded: a stream of one-off keys must not grow the count table without end.
            if state.sightings.count >= capacity * 16 { state.sightings.removeAll(keepingCapacity: true) }
            state.sightings[key, default: 0] += 1
            guard state.sightings[key, default: 0] >= threshold else { return (nil, false) }
            if state.tables.count >= capacity {
                guard state.buildTokens >= 1 else { return (nil, false) }
                state.buildTokens -= 1
            }
            state.builds += 1
            return (nil, true)
        }
        if let existing {
            // This verification still uses the narrow tables; the next ones find the wide.
            if due, let wide = Self.build(key, wide: true) { install(wide, for: key) }
            return existing
        }
        guard due else { return nil }
        // Built outside the lock (about 100 us); a race builds twice and keeps one.
        guard let built = Self.build(key, wide: false) else { return nil }
        return install(built, for: key)
    }

    /// Puts `table` in the cache for `key`, unless a race put one there first; returns the
    /// table in the cache. Makes room by the least recently used key, and keeps at most
    /// `wideCapacity` wide tables the same way.
    @discardableResult
    private func install(_ table: Table, for key: Bytes32) -> Table {
        state.withLockedValue { state in
            if let existing = state.tables[key], existing.table.isWide || !table.isWide { return existing.table }
            if state.tables[key] == nil, state.tables.count >= capacity,
               let stalest = state.tables.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
                state.tables[stalest] = nil
            }
            if table.isWide {
                // Rare (a key's thousandth use), so a scan of the cache is cheap enough.
                let wide = state.tables.filter { $0.value.table.isWide }
                if wide.count >= wideCapacity, let stalest = wide.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
                    state.tables[stalest] = nil
                }
            }
            let uses = state.tables[key]?.uses ?? 0
            state.tables[key] = Entry(table: table, lastUse: state.clock, uses: uses)
            state.sightings[key] = nil
            return table
        }
    }

    /// The tables for `key` (an empty `Table` for a key the rule refuses); nil when memory is
    /// short, and the caller verifies without tables.
    static func build(_ key: Bytes32, wide: Bool = false) -> Table? {
        var words = (key.w0.bigEndian, key.w1.bigEndian, key.w2.bigEndian, key.w3.bigEndian)
        var tables: OpaquePointer?
        let status = withUnsafeBytes(of: &words) { bytes -> Int32 in
            guard let base = bytes.baseAddress else { return -1 }
            return kc_ed25519_key_create(base.assumingMemoryBound(to: UInt8.self), wide ? 1 : 0, &tables)
        }
        return status < 0 ? nil : Table(tables, wide: wide)
    }

    /// Whether `signature` by the key behind `table` signs `message`: h = SHA-512(R | A | M)
    /// mod L, then [S]B - [h]A must encode to R.
    static func verify(_ table: Table, key: UnsafePointer<UInt8>, signature: UnsafePointer<UInt8>, message: UnsafeRawBufferPointer) -> Bool {
        guard let tables = table.key else { return false }
        var scalar = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &scalar) { scalarBytes in
            guard let scalarPointer = scalarBytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
            challenge(into: scalarPointer, r: signature, key: key, message: message)
            return kc_ed25519_verify_prehashed(tables, signature, scalarPointer) == 1
        }
    }

    /// h = SHA-512(R | A | M) mod L, the scalar a signature's check multiplies the key by,
    /// into the 32 bytes at `out`.
    static func challenge(into out: UnsafeMutablePointer<UInt8>, r: UnsafePointer<UInt8>, key: UnsafePointer<UInt8>, message: UnsafeRawBufferPointer) {
        kc_ed25519_challenge(out, r, key, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count)
    }
}
