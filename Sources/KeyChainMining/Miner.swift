import Foundation
import KeyChainChain
import KeyChainCore
import NIOConcurrencyHelpers
import Synchronization

/// Searches nonces for one block template on dedicated threads (never the Swift concurrency
/// pool, whose threads must not block). `update(_:)` restarts every thread on a new template
/// (a new tip or new puts); `stop()` ends and joins them. An optional hash-rate limit holds the
/// miner to an exact share of a network's hash power for experiments.
public final class Miner: Sendable {
    /// How to mine.
    public struct Configuration: Sendable {
        /// Worker threads.
        public var threads: Int
        /// Total hashes a second across all threads, or nil for as fast as possible.
        public var hashRateLimit: Double?
        /// Which SHA-256 compression to use.
        public var implementation: ProofOfWork.Implementation
        /// Nonces a thread tries between looks at the shared state.
        public var batchSize: UInt64

        /// A configuration; by default one thread per core, no limit.
        public init(
            threads: Int = CoreBudget.machine.cores, hashRateLimit: Double? = nil,
            implementation: ProofOfWork.Implementation = .automatic, batchSize: UInt64 = 1 << 15
        ) {
            self.threads = max(threads, 1)
            self.hashRateLimit = hashRateLimit.map { max($0, 1) }
            self.implementation = implementation
            self.batchSize = max(batchSize, 1)
        }
    }

    private struct Shared {
        var template: BlockTemplate?
        var generation: UInt64 = 0
        var solved = false
        /// The parent of the block this miner last found, and when: until the owner moves the
        /// miner onto that block (or another), a new template on the same parent would only
        /// find a sibling of the block being stored, which becomes a stale block.
        var solvedOn: (parent: Hash256, at: Date)?
        var stopping = false
    }

    private let configuration: Configuration
    private let onBlock: @Sendable (Block) -> Void
    private let shared = NIOLockedValueBox(Shared())
    private let wake = NSCondition()
    private let generation = Atomic<UInt64>(0)
    private let hashes = Atomic<UInt64>(0)
    private let running = Atomic<Int>(0)
    private let exited = DispatchSemaphore(value: 0)
    private let recent = Mutex(HashRateWindow(start: ProcessInfo.processInfo.systemUptime))

    /// A stopped miner that will call `onBlock` (on a mining thread) with each block it seals.
    public init(configuration: Configuration = Configuration(), onBlock: @escaping @Sendable (Block) -> Void) {
        self.configuration = configuration
        self.onBlock = onBlock
    }

    /// Nonces tried since the miner was made.
    public var totalHashes: UInt64 { hashes.load(ordering: .relaxed) }

    /// Hashes a second over the last `HashRateWindow.seconds` seconds (0 when idle that long).
    public var hashRate: Double {
        let now = ProcessInfo.processInfo.systemUptime
        return recent.withLock { $0.rate(at: now) }
    }

    /// Mining threads that have not returned: 0 once `stop()` has joined them all.
    public var liveThreads: Int { live.load(ordering: .acquiring) }
    private let live = Atomic<Int>(0)
    /// How long a template on the parent of a block just found is left unmined.
    static let siblingWait: TimeInterval = 5
    /// How far behind its cap a capped miner may fall and still catch up.
    static let maxPaceLag: TimeInterval = 0.25

    /// Starts the threads (idle until a template arrives). Calling it twice does nothing.
    public func start() {
        guard running.compareExchange(expected: 0, desired: configuration.threads, ordering: .acquiringAndReleasing).exchanged else { return }
        shared.withLockedValue { $0.stopping = false }
        for index in 0..<configuration.threads {
            live.add(1, ordering: .acquiringAndReleasing)
            let thread = Thread { [self] in
                work(index: index)
                live.subtract(1, ordering: .acquiringAndReleasing)
                exited.signal()
            }
            thread.name = "keychain-miner-\(index)"
            thread.start()
        }
    }

    /// Whether the miner holds a template it leaves unmined because it is on the parent of the
    /// block it just found (see `siblingWait`).
    public var awaitsFoundBlock: Bool { shared.withLockedValue { $0.template != nil && $0.solved && $0.solvedOn != nil } }

    /// The template being mined (nil while paused).
    public var template: BlockTemplate? { shared.withLockedValue { $0.template } }

    /// Mines `template` from now on, abandoning the previous one; nil pauses the miner.
    public func update(_ template: BlockTemplate?) {
        shared.withLockedValue { state in
            state.template = template
            state.generation += 1
            // A refresh on the parent of a block just found waits for that block (a few
            // seconds at most, in case the block never becomes the tip).
            if let solved = state.solvedOn, template?.header.previous == solved.parent, Date().timeIntervalSince(solved.at) < Self.siblingWait {
                state.solved = true
            } else {
                state.solved = false
                state.solvedOn = nil
            }
            generation.store(state.generation, ordering: .releasing)
        }
        wake.lock()
        wake.broadcast()
        wake.unlock()
    }

    /// The block the miner last found was not kept (its store failed): a template on its
    /// parent is mined again at once, the current one included.
    public func forgetFoundBlock() {
        shared.withLockedValue { state in
            guard state.solvedOn != nil else { return }
            state.solvedOn = nil
            state.solved = false
            state.generation += 1
            generation.store(state.generation, ordering: .releasing)
        }
        wake.lock()
        wake.broadcast()
        wake.unlock()
    }

    /// Stops and joins every thread. The miner can be started again.
    public func stop() {
        let count = running.load(ordering: .acquiring)
        guard count > 0 else { return }
        shared.withLockedValue { state in
            state.stopping = true
            state.generation += 1
            generation.store(state.generation, ordering: .releasing)
        }
        wake.lock()
        wake.broadcast()
        wake.unlock()
        for _ in 0..<count { exited.wait() }
        running.store(0, ordering: .releasing)
    }

    private func work(index: Int) {
        let threads = UInt64(configuration.threads)
        let perThreadRate = configuration.hashRateLimit.map { $0 / Double(threads) }
        var current: UInt64 = .max
        var search: ProofOfWork?
        var template: BlockTemplate?
        var nonce: UInt64 = 0
        // The pace is kept across templates: a node re-templates every 100 ms while puts
        // arrive, and when each template restarted the count, a miner capped at 400,000
        // hashes a second did about 460,000 during an import.
        var paceStartedAt = Date()
        var pacedHashes: UInt64 = 0
        while true {
            let latest = generation.load(ordering: .acquiring)
            if latest != current {
                let state = shared.withLockedValue { $0 }
                if state.stopping { return }
                current = state.generation
                template = state.template
                if let template = state.template, !state.solved {
                    search = ProofOfWork(header: template.header, target: template.target, implementation: configuration.implementation)
                } else {
                    search = nil
                }
                // Each thread owns a disjoint slice of the 64-bit nonce space.
                nonce = UInt64(index) * (UInt64.max / threads)
            }
            guard let job = search, let active = template else {
                // A template left unmined for the block just found is taken up again once the
                // wait is over, whether or not a new template came meanwhile.
                if template != nil, reopenAfterSiblingWait(seen: current) { continue }
                waitForNewGeneration(after: current)
                // Idle time is not owed: a pace that fell behind starts again with the next
                // template. Hashes done ahead of it still are: at a difficulty where most
                // batches find a block, forgiving them after every find let capped miners
                // run at 1.44x their cap.
                if let rate = perThreadRate, paceStartedAt.addingTimeInterval(Double(pacedHashes) / rate) <= Date() {
                    paceStartedAt = Date()
                    pacedHashes = 0
                }
                continue
            }
            if let rate = perThreadRate {
                // Ahead of the pace: wait (a new template ends the wait, not the debt).
                let wait = paceStartedAt.addingTimeInterval(Double(pacedHashes) / rate).timeIntervalSinceNow
                if wait > 0 {
                    waitForNewGeneration(after: current, timeout: wait)
                    continue
                }
                if wait < -Self.maxPaceLag {
                    // Far behind: the machine had no time for it. Starting over, rather than
                    // hashing flat out to catch up, keeps the cap a cap.
                    paceStartedAt = Date()
                    pacedHashes = 0
                }
            }
            var count = configuration.batchSize
            if let rate = perThreadRate { count = min(count, max(1, UInt64(rate / 50))) }
            let outcome = job.search(from: nonce, count: count)
            hashes.add(outcome.hashes, ordering: .relaxed)
            let now = ProcessInfo.processInfo.systemUptime
            recent.withLock { $0.add(outcome.hashes, at: now) }
            nonce &+= outcome.hashes
            pacedHashes += outcome.hashes
            if let found = outcome.found {
                let won = shared.withLockedValue { state -> Bool in
                    guard state.generation == current, !state.solved else { return false }
                    state.solved = true
                    state.solvedOn = (active.header.previous, Date())
                    return true
                }
                if won { onBlock(active.block(nonce: found.nonce)) }
                search = nil
                continue
            }
        }
    }

    /// Whether the template of generation `seen`, left unmined after a find, is open again
    /// (its `siblingWait` is over; the generation then moves on).
    private func reopenAfterSiblingWait(seen: UInt64) -> Bool {
        shared.withLockedValue { state in
            guard state.generation == seen, state.solved, let solved = state.solvedOn,
                  state.template?.header.previous == solved.parent, Date().timeIntervalSince(solved.at) >= Self.siblingWait else { return false }
            state.solved = false
            state.solvedOn = nil
            state.generation += 1
            generation.store(state.generation, ordering: .releasing)
            return true
        }
    }

    /// Sleeps until the generation moves past `seen` or the timeout passes.
    private func waitForNewGeneration(after seen: UInt64, timeout: TimeInterval = 1) {
        wake.lock()
        if generation.load(ordering: .acquiring) == seen {
            _ = wake.wait(until: Date().addingTimeInterval(timeout))
        }
        wake.unlock()
    }
}
