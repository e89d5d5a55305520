/// A proof-of-work target: a block is valid when its hash, read as a 256-bit big-endian number,
/// is at most the target. Headers carry it in Bitcoin's compact form (`nBits`) so that a
/// retargeting rule can come later without a format change.
public struct Target: Hashable, Sendable, CustomStringConvertible {
    /// The compact form: exponent byte (length in bytes) then a 23-bit mantissa.
    public let compact: UInt32
    /// The full target.
    public let value: Bytes32

    /// The target at which a block takes 2^bits hashes on average: 2^(256 - bits).
    public init(difficultyBits bits: Int) throws(TargetError) {
        guard (1...Self.maxDifficultyBits).contains(bits) else { throw .difficultyOutOfRange(bits) }
        let position = 256 - bits           // the one set bit
        var bytes = [UInt8](repeating: 0, count: 32)
        bytes[31 - position / 8] = 1 << UInt8(position % 8)
        // Checked above: the bytes make a non-zero, encodable target.
        try self.init(compact: Self.compactForm(of: bytes))
    }

    /// Decodes a compact target. Throws for a negative, zero, or overflowing encoding.
    public init(compact: UInt32) throws(TargetError) {
        let exponent = Int(compact >> 24)
        let mantissa = compact & 0x007F_FFFF
        guard compact & 0x0080_0000 == 0 else { throw .negative(compact) }
        guard mantissa != 0 else { throw .zero(compact) }
        var bytes = [UInt8](repeating: 0, count: 32)
        let mantissaBytes = [UInt8(mantissa >> 16), UInt8((mantissa >> 8) & 0xFF), UInt8(mantissa & 0xFF)]
        for (index, byte) in mantissaBytes.enumerated() where byte != 0 {
            // Byte `index` of the mantissa has weight 256^(exponent - 1 - index).
            let power = exponent - 1 - index
            if power < 0 { continue }
            if power > 31 { throw .overflow(compact) }
            bytes[31 - power] = byte
        }
        guard bytes.contains(where: { $0 != 0 }), let value = Bytes32(bytes) else { throw .zero(compact) }
        self.compact = compact
        self.value = value
    }

    /// The most difficulty bits a network may ask for; its work still fits in 128 bits.
    public static let maxDifficultyBits = 120

    /// Whether `hash` meets this target.
    public func isMet(by hash: Hash256) -> Bool { hash.raw <= value }

    /// The expected number of hashes to find a block: 2^256 / target, rounded down.
    public var work: Work {
        // value = m * 2^shift with m odd; work = 2^(256 - shift) / m.
        var shift = 0
        var (w0, w1, w2, w3) = (value.w0, value.w1, value.w2, value.w3)
        while w3 & 1 == 0 && shift < 255 {
            w3 = w3 >> 1 | w2 << 63; w2 = w2 >> 1 | w1 << 63; w1 = w1 >> 1 | w0 << 63; w0 >>= 1
            shift += 1
        }
        let exponent = 256 - shift
        // m fits in 23 bits after the shift (a compact mantissa), so w0..w2 are zero here.
        guard w0 == 0, w1 == 0, w2 == 0, exponent <= 127 else { return Work(UInt128.max) }
        return Work((UInt128(1) << exponent) / UInt128(w3))
    }

    public var description: String { String(compact, radix: 16) }

    static func compactForm(of bytes: [UInt8]) -> UInt32 {
        guard let first = bytes.firstIndex(where: { $0 != 0 }) else { return 0 }
        var size = UInt32(32 - first)
        var mantissa: UInt32 = 0
        for index in 0..<3 {
            mantissa <<= 8
            if first + index < 32 { mantissa |= UInt32(bytes[first + index]) }
        }
        if mantissa & 0x0080_0000 != 0 {
            mantissa >>= 8
            size += 1
        }
        return size << 24 | mantissa
    }
}

/// Why a compact target is not usable.
public enum TargetError: Error, Equatable, Sendable, CustomStringConvertible {
    case difficultyOutOfRange(Int)
    case negative(UInt32)
    case zero(UInt32)
    case overflow(UInt32)

    public var description: String {
        switch self {
        case let .difficultyOutOfRange(bits): "difficulty \(bits) bits is outside 1...\(Target.maxDifficultyBits)"
        case let .negative(compact): "compact target \(String(compact, radix: 16)) has the sign bit set"
        case let .zero(compact): "compact target \(String(compact, radix: 16)) is zero"
        case let .overflow(compact): "compact target \(String(compact, radix: 16)) does not fit in 256 bits"
        }
    }
}
