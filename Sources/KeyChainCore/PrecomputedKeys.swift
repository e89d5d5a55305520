import CKeyChainNative
import CSodium
import NIOConcurrencyHelpers

/// Verification tables for the keys that sign most: a key seen `threshold` times gets its
/// multiples precomputed (about 30 KB, the cost of three or four verifications), and each
/// later verification then costs about 0.27 of libsodium's. An import, or any busy author,
/// signs thousands of puts with one key. The rules stay libsodium's (see `kc_ed25519_key`).
final class PrecomputedKeys: Sendable {
    /// The process's cache: 1,024 keys, about 40 MB at most. A chain whose puts come from up to
    /// that many busy authors (a sync of a real network's history) verifies at table speed.
    static let shared = PrecomputedKeys(capacity: 1_024, threshold: 3)

    /// One key's tables; freed when the last verification using them ends. Unchecked: the C
    /// tables are written once, before the pointer is shared, and only read afterwards.
    final class Table: @unchecked Sendable {
        /// nil: libsodium would refuse this key, so every signature by it is invalid.
        let key: OpaquePointer?
        init(_ key: OpaquePointer?) { self.key = key }
        deinit { if let key { kc_ed25519_key_free(key) } }
    }

    private struct State {
        var tables: [Bytes32: (table: Table, lastUse: UInt64)] = [:]
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

    init(capacity: Int, threshold: Int) {
        self.capacity = capacity
        self.threshold = threshold
    }

    /// Tables built so far.
    var builds: Int { state.withLockedValue { $0.builds } }

    /// The tables for `key` once it has been seen often enough; nil before.
    func table(for key: Bytes32) -> Table? {
        // One lock for the common case: the table, or whether to build one now.
        let (existing, due): (Table?, Bool) = state.withLockedValue { state in
            state.clock += 1
            if let entry = state.tables[key] {
                state.tables[key]?.lastUse = state.clock
                return (entry.table, false)
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
        if let existing { return existing }
        guard due else { return nil }
        // Built outside the lock (about 100 us); a race builds twice and keeps one.
        guard let built = Self.build(key) else { return nil }
        return state.withLockedValue { state in
            if let existing = state.tables[key] { return existing.table }
            if state.tables.count >= capacity, let stalest = state.tables.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
                state.tables[stalest] = nil
            }
            state.tables[key] = (built, state.clock)
            state.sightings[key] = nil
            return built
        }
    }

    /// The tables for `key` (an empty `Table` for a key libsodium would refuse); nil when
    /// memory is short, and the caller verifies with libsodium.
    static func build(_ key: Bytes32) -> Table? {
        var words = (key.w0.bigEndian, key.w1.bigEndian, key.w2.bigEndian, key.w3.bigEndian)
        var tables: OpaquePointer?
        let status = withUnsafeBytes(of: &words) { bytes -> Int32 in
            guard let base = bytes.baseAddress else { return -1 }
            return kc_ed25519_key_create(base.assumingMemoryBound(to: UInt8.self), &tables)
        }
        return status < 0 ? nil : Table(tables)
    }

    /// Whether `signature` by the key behind `table` signs `message`: h = SHA-512(R | A | M)
    /// mod L, then [S]B - [h]A must encode to R.
    static func verify(_ table: Table, key: UnsafePointer<UInt8>, signature: UnsafePointer<UInt8>, message: UnsafeRawBufferPointer) -> Bool {
        guard let tables = table.key else { return false }
        var state = crypto_hash_sha512_state()
        var digest = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        var scalar = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &digest) { digestBytes in
            withUnsafeMutableBytes(of: &scalar) { scalarBytes in
                guard let digestPointer = digestBytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                      let scalarPointer = scalarBytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
                crypto_hash_sha512_init(&state)
                crypto_hash_sha512_update(&state, signature, 32)
                crypto_hash_sha512_update(&state, key, 32)
                crypto_hash_sha512_update(&state, message.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(message.count))
                crypto_hash_sha512_final(&state, digestPointer)
                crypto_core_ed25519_scalar_reduce(scalarPointer, digestPointer)
                return kc_ed25519_verify_prehashed(tables, signature, scalarPointer) == 1
            }
        }
    }
}
