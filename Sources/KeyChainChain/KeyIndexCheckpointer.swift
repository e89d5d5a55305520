import Dispatch
import KeyChainStore
import Logging
import NIOConcurrencyHelpers

/// Writes the chain's periodic key-index checkpoints on a background queue. Serialising the
/// index (every version of every key) and fsyncing it is work in proportion to the whole
/// history; done by the chain's owner in the middle of connecting a block, it held up every
/// peer and client for as long. The index is a persistent value, so handing a snapshot over
/// costs nothing; a snapshot that arrives while one is still waiting replaces it (only the
/// newest matters).
final class KeyIndexCheckpointer: Sendable {
    private let queue = DispatchQueue(label: "keychain.chain.checkpoint", qos: .utility)
    private let waiting = NIOLockedValueBox<KeyIndex?>(nil)
    private let sink: any CheckpointSink
    private let logger: Logger

    /// A writer into `sink`, logging its failures to `logger`.
    init(sink: any CheckpointSink, logger: Logger) {
        self.sink = sink
        self.logger = logger
    }

    /// Writes `index` in the background. The caller has flushed the blocks it names.
    func write(_ index: KeyIndex) {
        let wasIdle = waiting.withLockedValue { waiting in
            defer { waiting = index }
            return waiting == nil
        }
        guard wasIdle else { return }
        queue.async { [self] in
            guard let index = waiting.withLockedValue({ waiting in
                defer { waiting = nil }
                return waiting
            }) else { return }
            do {
                try sink.write(index.checkpoint)
            } catch {
                logger.error("could not write the key-index checkpoint", metadata: ["error": "\(error)", "height": "\(index.height)"])
            }
        }
    }

    /// Returns once every checkpoint handed over has been written (or has failed).
    func drain() {
        queue.sync {}
    }
}
