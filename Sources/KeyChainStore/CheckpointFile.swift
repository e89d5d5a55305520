import Foundation
import KeyChainCore
import Logging

/// A blob replaced atomically: written to a temporary file, fsynced, renamed over the old one,
/// and the directory fsynced. Format: `magic "KCCP" | length u64 | bytes | CRC-32C u32`.
public struct CheckpointFile: Sendable {
    static let magic: UInt32 = 0x5043_434B
    /// The file's path.
    public let path: String
    private let logger: Logger

    /// A checkpoint at `path` (the file need not exist yet).
    public init(path: String, logger: Logger = Logger(label: "keychain.store")) {
        self.path = path
        self.logger = logger
    }

    /// Replaces the checkpoint with `bytes`.
    public func write(_ bytes: [UInt8]) throws(StoreError) {
        var writer = ByteWriter(capacity: bytes.count + 16)
        writer.write(Self.magic)
        writer.write(UInt64(bytes.count))
        writer.write(bytes: bytes)
        writer.write(CRC32C.checksum(writer.bytes))
        let temporary = path + ".tmp"
        unlink(temporary)
        let file = try DataFile(path: temporary, create: true)
        try file.truncate(to: 0)
        try file.append(writer.bytes)
        try file.sync()
        guard rename(temporary, path) == 0 else { throw .io(path: path, operation: "rename", errno: errno) }
        let directory = (path as NSString).deletingLastPathComponent
        let dirfd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        if dirfd >= 0 {
            fsync(dirfd)
            close(dirfd)
        }
    }

    /// The stored bytes, or nil if there is no checkpoint or it fails its checks (logged).
    public func read() -> [UInt8]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let file = try DataFile(path: path, create: false)
            let bytes = try file.read(at: 0, count: Int(file.size))
            var reader = ByteReader(bytes)
            guard try reader.readUInt32("magic") == Self.magic else {
                logger.warning("checkpoint has a bad magic; ignoring it", metadata: ["path": "\(path)"])
                return nil
            }
            // A corrupt length can exceed Int: it is checked against what the file holds, not converted.
            let length = try reader.readUInt64("length")
            guard length <= UInt64(reader.remaining) else {
                logger.warning("checkpoint is shorter than its length says; ignoring it", metadata: ["path": "\(path)", "length": "\(length)"])
                return nil
            }
            let payload = try reader.readBytes(Int(length), maximum: reader.remaining, "checkpoint")
            let crc = try reader.readUInt32("crc")
            try reader.expectEnd()
            guard crc == CRC32C.checksum(Array(bytes[0..<bytes.count - 4])) else {
                logger.warning("checkpoint fails its CRC-32C; ignoring it", metadata: ["path": "\(path)"])
                return nil
            }
            return payload
        } catch {
            logger.warning("checkpoint unreadable; ignoring it", metadata: ["path": "\(path)", "error": "\(error)"])
            return nil
        }
    }
}
