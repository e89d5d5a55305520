import Foundation
import KeyChainAPI
import KeyChainChain
import KeyChainCore
import KeyChainMining
import KeyChainStore
import Logging

/// One KeyChain node: owns the chain, seals blocks with its miner, admits puts, and tracks
/// transactions for `tx`, `wait` and subscriptions. Every chain access holds the node's lock
/// for a short, synchronous critical section, so the socket handler can answer reads on its
/// event loop without a thread hop; CPU-heavy work that needs no chain state (JSON, signature
/// checks) happens in the callers, outside the lock.
public final class Node: @unchecked Sendable {
    /// The network's genesis parameters.
    public let parameters: NetworkParameters
    /// The key the node signs `put`s with.
    public let wallet: Identity
    /// Verified signatures; callers pre-verify batches in parallel through it.
    public let signatures: SignatureCache
    /// What the node was started with.
    public let configuration: NodeConfiguration

    // Everything below is guarded by `lock`.
    let lock = NSLock()
    let chain: Blockchain
    let logger: Logger
    private let dataDirectory: NodeDataDirectory
    private var miner: Miner?
    private var tracker = TransactionTracker()
    private var subscriptions: [UInt64: Subscription] = [:]
    private var refreshScheduled = false
    private var stopped = false
    private let startedAt = Date()
    private let timers = DispatchQueue(label: "keychain.node.timers")
    let metrics = NodeMetrics()

    /// Opens the data directory's chain (creating the network on first start).
    public init(configuration: NodeConfiguration, logger: Logger = Logger(label: "keychain.node")) throws(NodeError) {
        let directory = try NodeDataDirectory(path: configuration.dataDirectory)
        let bits = configuration.difficultyBits ?? (configuration.dev ? NodeConfiguration.devDifficultyBits : NodeConfiguration.defaultDifficultyBits)
        let proposed: NetworkParameters
        do {
            proposed = try NetworkParameters(name: configuration.networkName, difficultyBits: bits,
                                             createdAt: UInt64(Date().timeIntervalSince1970 * 1000))
        } catch {
            throw .chain(error.description)
        }
        let parameters = try directory.network(proposed: proposed, requestedDifficulty: configuration.difficultyBits)
        let signatures = SignatureCache()
        do {
            let store = try SegmentBlockStore(dataDirectory: configuration.dataDirectory, segmentSize: configuration.segmentSize, logger: logger)
            chain = try Blockchain(parameters: parameters, storage: store, signatures: signatures, logger: logger)
        } catch let error as ChainError {
            throw .networkMismatch(path: configuration.dataDirectory, reason: error.description)
        } catch {
            throw .chain("\(error)")
        }
        self.parameters = parameters
        self.signatures = signatures
        self.configuration = configuration
        self.dataDirectory = directory
        self.wallet = try directory.wallet()
        self.logger = logger
    }

    /// Starts the miner (if configured).
    public func start() {
        lock.lock()
        defer { lock.unlock() }
        guard configuration.mine, miner == nil else { return }
        let miner = Miner(configuration: .init(threads: configuration.miningThreads, hashRateLimit: configuration.hashRateLimit)) { [weak self] block in
            self?.blockFound(block)
        }
        miner.start()
        self.miner = miner
        refreshMining()
        logger.info("node started", metadata: [
            "network": "\(parameters.name)", "genesis": "\(parameters.genesisHash.short)", "height": "\(chain.height)",
            "mining": "\(configuration.mine)", "dev": "\(configuration.dev)", "wallet": "\(wallet.publicKey.hex)",
        ])
    }

    /// Stops mining, fails every waiting client, writes the key-index checkpoint.
    public func shutdown() {
        lock.lock()
        guard !stopped else { lock.unlock(); return }
        stopped = true
        let miner = self.miner
        self.miner = nil
        lock.unlock()
        miner?.stop()  // joins the threads, which may be waiting for the lock in blockFound
        lock.lock()
        defer { lock.unlock() }
        for waiter in tracker.removeAllWaiters() {
            waiter.finish(.failure(RPCError(.unavailable, "the node is shutting down")))
        }
        subscriptions = [:]
        do { try chain.close() } catch {
            logger.error("could not write the key-index checkpoint at shutdown", metadata: ["error": "\(error)"])
        }
        logger.info("node stopped", metadata: ["height": "\(chain.height)"])
    }

    // MARK: - Writing

    /// Admits a put; returns its status. Submitting a put already pending or confirmed returns its
    /// status again, so a client may retry safely.
    public func submit(_ transaction: Transaction) -> Result<TxStatusResult, RPCError> {
        lock.withLock { submitLocked(transaction) }
    }

    func submitLocked(_ transaction: Transaction) -> Result<TxStatusResult, RPCError> {
        guard !stopped else { return .failure(RPCError(.unavailable, "the node is shutting down")) }
        do {
            try chain.submit(transaction)
        } catch {
            switch error {
            case .duplicate, .alreadyConfirmed:
                return .success(status(of: transaction.id) ?? TxStatusResult(txid: transaction.id.hex, status: .pending))
            default:
                let rpc = error.rpcError
                tracker.record(transaction.id, state: .rejected, error: rpc)
                metrics.putsRejected.increment()
                return .failure(rpc)
            }
        }
        metrics.putsAccepted.increment()
        metrics.mempool.record(chain.mempool.count)
        scheduleRefresh()
        return .success(TxStatusResult(txid: transaction.id.hex, status: .pending))
    }

    /// Admits many puts in order; each succeeds or fails on its own.
    public func submit(batch: [Transaction]) -> [Result<TxStatusResult, RPCError>] {
        lock.withLock { batch.map { submitLocked($0) } }
    }

    // MARK: - Mining

    private func blockFound(_ block: Block) {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        do {
            let update = try chain.acceptBlock(block)
            apply(update)
        } catch {
            logger.warning("own block refused", metadata: ["error": "\(error)"])
        }
        refreshMining()
    }

    /// Re-templates the miner after puts arrive, at most every few milliseconds.
    private func scheduleRefresh() {
        guard !refreshScheduled, miner != nil else { return }
        refreshScheduled = true
        let delay: DispatchTimeInterval = configuration.dev ? .milliseconds(2) : .milliseconds(100)
        timers.asyncAfter(deadline: .now() + delay) { [weak self] in
            guard let self else { return }
            self.lock.withLock {
                self.refreshScheduled = false
                self.refreshMining()
            }
        }
    }

    /// Points the miner at a fresh template, or (in --dev) idles it when nothing waits.
    private func refreshMining() {
        guard let miner, !stopped else { return }
        if configuration.dev && chain.mempool.count == 0 && !tracker.hasWaiters {
            miner.update(nil, target: parameters.target)
        } else {
            miner.update(chain.makeTemplate(), target: parameters.target)
        }
    }

    /// Records evictions, answers waiters and notifies subscribers after the chain moved.
    private func apply(_ update: ChainUpdate) {
        metrics.blocksConnected.increment(by: update.connected.count)
        if update.isReorganisation { metrics.reorganisations.increment() }
        metrics.putsEvicted.increment(by: update.evicted.count)
        metrics.height.record(chain.height)
        metrics.mempool.record(chain.mempool.count)
        metrics.keys.record(chain.keyIndex.keyCount)
        metrics.hashRate.record(hashRate)
        for evicted in update.evicted {
            var error = evicted.reason.rpcError
            error.code = RPCErrorCode.evicted.rawValue
            error.message = "evicted after the chain changed: " + evicted.reason.description
            tracker.record(evicted.transaction.id, state: .evicted, error: error)
        }
        guard !update.connected.isEmpty || !update.evicted.isEmpty else { return }
        for (waiter, result) in tracker.settled(using: { status(of: $0) }) {
            _ = tracker.remove(waiter.id)
            waiter.finish(result)
        }
        notifySubscribers(newTip: !update.connected.isEmpty)
    }

    // MARK: - Transactions

    /// Where a transaction stands, or nil if the node has never seen it.
    func status(of txid: Hash256) -> TxStatusResult? {
        if let (_, _, version) = chain.keyIndex.version(of: txid) {
            return TxStatusResult(txid: txid.hex, status: .confirmed, depth: version.confirmations(tipHeight: chain.height),
                                  height: version.height, block: version.blockHash.hex)
        }
        if chain.mempool.contains(txid) { return TxStatusResult(txid: txid.hex, status: .pending) }
        return tracker.outcome(of: txid)
    }

    /// Waits until every txid is `depth` deep or has failed, or until the timeout.
    public func wait(for txids: [Hash256], depth: UInt32, timeout: Duration) async -> Result<[TxStatusResult], RPCError> {
        let waiter = Waiter(txids: txids, depth: max(depth, 1))
        let early: Result<[TxStatusResult], RPCError>? = lock.withLock {
            for txid in txids where status(of: txid) == nil {
                return .failure(RPCError(.transactionNotFound, "transaction \(txid.hex) is not known to this node", data: ["txid": txid.hex]))
            }
            if let result = TransactionTracker.evaluate(waiter, status: { status(of: $0) }) { return result }
            guard !stopped else { return .failure(RPCError(.unavailable, "the node is shutting down")) }
            tracker.add(waiter)
            refreshMining()
            return nil
        }
        if let early { return early }
        let id = waiter.id
        let milliseconds = Int(min(timeout.components.seconds * 1_000, 3_600_000))
        timers.asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { [weak self] in self?.expire(id) }
        return await waiter.result()
    }

    private func expire(_ id: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        guard let waiter = tracker.remove(id) else { return }
        let pending = waiter.txids.map(\.hex).joined(separator: ", ")
        waiter.finish(.failure(RPCError(.timeout, "timed out waiting for \(pending) to reach depth \(waiter.depth)",
                                        data: ["depth": String(waiter.depth)])))
        refreshMining()
    }

    // MARK: - Subscriptions

    /// Registers a connection for notifications (replacing its earlier subscription).
    public func subscribe(connection: UInt64, txids: [Hash256], tips: Bool, sink: @escaping @Sendable (String) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        var subscription = subscriptions[connection] ?? Subscription(sink: sink)
        subscription.tips = subscription.tips || tips
        for txid in txids { subscription.txids[txid] = status(of: txid)?.status }
        subscriptions[connection] = subscription
    }

    /// Forgets a closed connection.
    public func unsubscribe(connection: UInt64) {
        lock.withLock { subscriptions[connection] = nil }
    }

    private func notifySubscribers(newTip: Bool) {
        guard !subscriptions.isEmpty else { return }
        let tip = TipNotification(height: chain.height, hash: chain.tip.hash.hex)
        for (connection, var subscription) in subscriptions {
            if newTip && subscription.tips { subscription.sink(Subscription.line(method: "tip", tip)) }
            for (txid, last) in subscription.txids {
                guard let now = status(of: txid) else { continue }
                if now.status != last || now.status == .confirmed {
                    subscription.sink(Subscription.line(method: "tx", now))
                    subscription.txids[txid] = now.status
                }
            }
            subscriptions[connection] = subscription
        }
    }

    /// Hashes a second since the node started.
    var hashRate: Double {
        guard let miner else { return 0 }
        return Double(miner.totalHashes) / max(Date().timeIntervalSince(startedAt), 0.001)
    }

    var isMining: Bool { miner != nil }
}
