import Synchronization

/// The room a `MemoryBlockStore` has, which whoever made it can change while the store is in
/// use: a full disk, and then a disk with room again, in-process and without root.
public final class StoreCapacity: Sendable {
    private let bytes: Mutex<Int>

    /// Room for `bytes` bytes of blocks.
    public init(bytes: Int) { self.bytes = Mutex(bytes) }

    /// The room now.
    public var current: Int { bytes.withLock { $0 } }

    /// Gives the store `bytes` of room from now on.
    public func set(_ bytes: Int) { self.bytes.withLock { $0 = bytes } }
}
