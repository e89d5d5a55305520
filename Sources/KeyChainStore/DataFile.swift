import CFileSystem
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file read at offsets and appended to, with explicit fsync. The store's only I/O.
final class DataFile {
    let path: String
    private let descriptor: Int32
    /// Bytes in the file, tracked so appends need no seek.
    private(set) var size: UInt64

    /// Opens (creating when asked) a file for reading and writing.
    init(path: String, create: Bool) throws(StoreError) {
        self.path = path
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0)
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw .io(path: path, operation: "open", errno: errno) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw .io(path: path, operation: "fstat", errno: code)
        }
        descriptor = fd
        size = UInt64(info.st_size)
    }

    deinit { close(descriptor) }

    /// Overwrites bytes at `offset`, inside the file.
    func write(_ bytes: [UInt8], at offset: UInt64) throws(StoreError) {
        let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
        guard written == bytes.count else { throw .io(path: path, operation: "pwrite", errno: written < 0 ? errno : EIO) }
    }

    /// Gives the disk blocks inside `offset..<offset + length` back to the file system (they
    /// read as zeros after); the file keeps its size. Best effort: a file system without
    /// hole punching keeps the bytes.
    func punchHole(at offset: UInt64, length: UInt64) {
        guard length > 0 else { return }
        _ = keychain_punch_hole(descriptor, Int64(offset), Int64(length))
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    func read(at offset: UInt64, count: Int) throws(StoreError) -> [UInt8] {
        guard count > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let result = buffer.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress! + done, count - done, off_t(offset) + off_t(done))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "pread", errno: errno)
            }
            if result == 0 { break }
            done += result
        }
        if done < count { buffer.removeLast(count - done) }
        return buffer
    }

    /// Appends `bytes` and returns the offset they start at. Not durable until `sync()`.
    @discardableResult
    func append(_ bytes: [UInt8]) throws(StoreError) -> UInt64 {
        let start = size
        var done = 0
        while done < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                pwrite(descriptor, raw.baseAddress! + done, bytes.count - done, off_t(start) + off_t(done))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "pwrite", errno: errno)
            }
            done += result
        }
        size = start + UInt64(bytes.count)
        return start
    }

    /// Cuts the file to `length` bytes.
    func truncate(to length: UInt64) throws(StoreError) {
        guard ftruncate(descriptor, off_t(length)) == 0 else {
            throw .io(path: path, operation: "ftruncate", errno: errno)
        }
        size = length
    }

    /// Forces written data to the disk.
    func sync() throws(StoreError) {
        guard fsync(descriptor) == 0 else { throw .io(path: path, operation: "fsync", errno: errno) }
    }
}
