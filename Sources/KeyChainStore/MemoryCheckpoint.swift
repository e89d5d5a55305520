import Synchronization

/// A checkpoint blob held in memory, for `MemoryBlockStore`: written by the chain's
/// background writer, read when the chain opens.
public final class MemoryCheckpoint: CheckpointSink {
    private let bytes = Mutex<[UInt8]?>(nil)

    /// No checkpoint yet.
    public init() {}

    public func write(_ bytes: [UInt8]) throws(StoreError) { self.bytes.withLock { $0 = bytes } }

    /// The blob last written, if any.
    public func read() -> [UInt8]? { bytes.withLock { $0 } }
}
