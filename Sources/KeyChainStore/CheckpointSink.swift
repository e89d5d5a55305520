/// Where a checkpoint blob can be written from any thread, apart from the rest of its store:
/// a key-index checkpoint is serialised and written in the background (`BlockStorage.checkpointSink`).
public protocol CheckpointSink: Sendable {
    /// Replaces the checkpoint with `bytes`, atomically and durably.
    func write(_ bytes: [UInt8]) throws(StoreError)
}

extension CheckpointFile: CheckpointSink {}
