#if canImport(Glibc)
import Glibc
#endif

/// How much freed memory the node's allocator keeps for reuse. A node allocates and frees
/// block-sized buffers, template arrays and the nodes of its persistent maps all the time;
/// with glibc's defaults it hands memory back to the kernel (trims the heap, unmaps the
/// larger buffers) and takes it again a moment later, and the kernel zeroes every page it
/// gives out: during a devnet import that was 9% of the nodes' CPU time (`clear_page` in a
/// profile), and 1-5% with the settings here.
enum HeapRetention {
    /// glibc's `mallopt` parameters (malloc.h, which Swift's Glibc module does not import).
    private static let trimThreshold: Int32 = -1, topPad: Int32 = -2, mmapThreshold: Int32 = -3

    /// Keeps freed memory in the process: allocations up to 32 MiB (glibc's largest
    /// threshold, above a 4 MB frame) come from the heap, and a heap returns its free top to
    /// the kernel only past 256 MiB. Does nothing where the allocator is not glibc's.
    static func keepFreedMemory() {
        #if canImport(Glibc)
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
        _ = mallopt(mmapThreshold, 32 << 20)
        _ = mallopt(trimThreshold, 256 << 20)
        _ = mallopt(topPad, 16 << 20)
        #endif
    }
}
