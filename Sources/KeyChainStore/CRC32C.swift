import CKeyChainNative
import Foundation

/// CRC-32C (Castagnoli): the checksum on every segment record and index entry.
public enum CRC32C {
    /// The checksum of `bytes`, continuing from `crc`.
    public static func checksum(_ bytes: some ContiguousBytes, continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { kc_crc32c(crc, $0.baseAddress, $0.count) }
    }
}
