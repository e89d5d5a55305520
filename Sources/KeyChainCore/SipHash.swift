/// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit hash, short ids of compact blocks
/// (docs/PROTOCOL.md §9.2). Keyed per block, so that nobody can make two puts' short ids
/// collide for every peer at once.
public struct SipHash: Sendable {
    private let k0: UInt64
    private let k1: UInt64

    /// A hash with the 128-bit key `k0 | k1` (each the little-endian reading of 8 key bytes).
    public init(k0: UInt64, k1: UInt64) {
        self.k0 = k0
        self.k1 = k1
    }

    /// A hash keyed by 16 bytes.
    public init?(key: [UInt8]) {
        guard key.count == 16 else { return nil }
        self.init(k0: Self.littleEndian(key, at: 0), k1: Self.littleEndian(key, at: 8))
    }

    /// The hash of `bytes`.
    public func hash(_ bytes: [UInt8]) -> UInt64 {
        var state = State(k0: k0, k1: k1)
        let whole = bytes.count / 8 * 8
        var offset = 0
        while offset < whole {
            state.absorb(Self.littleEndian(bytes, at: offset))
            offset += 8
        }
        var last = UInt64(truncatingIfNeeded: bytes.count) << 56
        for index in whole..<bytes.count { last |= UInt64(bytes[index]) << (8 * UInt64(index - whole)) }
        state.absorb(last)
        return state.finish()
    }

    /// The hash of 32 bytes (a txid), without building an array.
    public func hash(_ value: Bytes32) -> UInt64 {
        var state = State(k0: k0, k1: k1)
        // The words are big-endian readings; SipHash reads the same bytes little-endian.
        state.absorb(value.w0.byteSwapped)
        state.absorb(value.w1.byteSwapped)
        state.absorb(value.w2.byteSwapped)
        state.absorb(value.w3.byteSwapped)
        state.absorb(32 << 56)
        return state.finish()
    }

    private static func littleEndian(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
        return value
    }

    /// The four state words, two compression rounds a word and four at the end.
    private struct State {
        var v0, v1, v2, v3: UInt64

        init(k0: UInt64, k1: UInt64) {
            v0 = k0 ^ 0x736F_6D65_7073_6575
            v1 = k1 ^ 0x646F_7261_6E64_6F6D
            v2 = k0 ^ 0x6C79_6765_6E65_7261
            v3 = k1 ^ 0x7465_6462_7974_6573
        }

        mutating func round() {
            v0 &+= v1; v1 = v1.rotatedLeft(13); v1 ^= v0; v0 = v0.rotatedLeft(32)
            v2 &+= v3; v3 = v3.rotatedLeft(16); v3 ^= v2
            v0 &+= v3; v3 = v3.rotatedLeft(21); v3 ^= v0
            v2 &+= v1; v1 = v1.rotatedLeft(17); v1 ^= v2; v2 = v2.rotatedLeft(32)
        }

        mutating func absorb(_ word: UInt64) {
            v3 ^= word
            round(); round()
            v0 ^= word
        }

        mutating func finish() -> UInt64 {
            v2 ^= 0xFF
            round(); round(); round(); round()
            return v0 ^ v1 ^ v2 ^ v3
        }
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(_ count: UInt64) -> UInt64 { self << count | self >> (64 - count) }
}
