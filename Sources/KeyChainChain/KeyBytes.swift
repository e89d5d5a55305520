#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A key compared and hashed as its UTF-8 bytes, in place. Swift's `String` equality folds
/// canonically equivalent spellings ("é" and "e\u{301}") together; keys must not, since
/// each spelling is a different key with its own owner.
struct KeyBytes: Hashable, Sendable {
    let string: String

    init(_ string: String) {
        var contiguous = string
        contiguous.makeContiguousUTF8()
        self.string = contiguous
    }

    static func == (lhs: KeyBytes, rhs: KeyBytes) -> Bool {
        lhs.withBytes { a in rhs.withBytes { b in a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0) } }
    }

    func hash(into hasher: inout Hasher) {
        withBytes { hasher.combine(bytes: $0) }
    }

    /// Byte-wise order, as prefix listings return keys.
    func precedes(_ other: KeyBytes) -> Bool {
        withBytes { a in other.withBytes { b in
            let common = min(a.count, b.count)
            let order = common == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, common)
            return order < 0 || (order == 0 && a.count < b.count)
        } }
    }

    /// Whether the key starts with `prefix`'s bytes.
    func hasPrefix(_ prefix: KeyBytes) -> Bool {
        withBytes { a in prefix.withBytes { p in
            p.count <= a.count && (p.count == 0 || memcmp(a.baseAddress!, p.baseAddress!, p.count) == 0)
        } }
    }

    /// The UTF-8 bytes, without copying (the initializer made the storage contiguous).
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let result = string.utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(string.utf8).withUnsafeBytes(body)
    }
}
