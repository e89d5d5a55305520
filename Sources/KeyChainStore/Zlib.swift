import CZlib

/// zlib compression of block records, with the system library.
enum Zlib {
    /// The compressed bytes, at level 1 (about three times faster than the default at a
    /// slightly larger size) or, not `compact`, at level 0: zlib's stored blocks, which inflate
    /// as any other.
    static func compress(_ input: [UInt8], compact: Bool = true) -> [UInt8]? {
        let level: Int32 = compact ? 1 : 0
        var capacity = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { out in
            input.withUnsafeBufferPointer { inp in
                compress2(out.baseAddress, &capacity, inp.baseAddress, uLong(inp.count), level)
            }
        }
        guard status == Z_OK else { return nil }
        output.removeLast(output.count - Int(capacity))
        return output
    }

    /// The original bytes, which must be exactly `rawLength` long; nil if the input is damaged.
    static func decompress(_ input: ArraySlice<UInt8>, rawLength: Int) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: max(rawLength, 1))
        var length = uLong(rawLength)
        let status = output.withUnsafeMutableBufferPointer { out in
            input.withUnsafeBufferPointer { inp in
                uncompress(out.baseAddress, &length, inp.baseAddress, uLong(inp.count))
            }
        }
        guard status == Z_OK, Int(length) == rawLength else { return nil }
        if rawLength == 0 { return [] }
        return output
    }
}
