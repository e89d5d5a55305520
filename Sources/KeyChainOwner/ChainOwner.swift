import Dispatch
import HashTreeCollections
import KeyChainChain
import KeyChainCore
import KeyChainMining
import KeyChainP2P
import Logging

/// The one owner of chain state: the chain, the peer protocol and the transaction tracker, as
/// btcd's block handler owns its chain. Everything it does arrives as an `OwnerMessage`,
/// handled in one synchronous turn (`handle`); `Node` posts the messages to its lanes (timers
/// first, then peers and the miner by turns, and connections by turns with a third of the
/// time: `OwnerMailbox`), and each lane is FIFO, so one connection's requests take effect in
/// order. After each change it publishes a `ChainView`, from which readers answer on their own
/// threads.
///
/// An actor on its own serial queue (`OwnerQueueExecutor`): the compiler checks that its state
/// is touched only in its isolation, and the mailbox's turns enter it on the queue without
/// suspending, so its state needs no lock (the views it publishes and the caches it shares
/// with other threads have theirs).
actor ChainOwner {
    /// The serial queue the owner runs on.
    nonisolated let executor: OwnerQueueExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    let chain: ReadOnlyChain
    let peers: PeerProtocol
    let policy: any MiningPolicy
    let metrics: NodeMetrics
    let logger: Logger
    let wallet: Identity
    /// Where peer actions go: the transport, once there is one.
    private var outlet = PeerOutlet()
    let miner: Miner?
    /// What wakes this owner when its earliest timer is due (nil: nothing does, as in tests
    /// that call `fireDueTimers` on a manual clock).
    var wakeup: (any OwnerWakeup)?
    /// The pending timers: the tick, the template refresh and each wait's expiry.
    private(set) var timers = DeadlineHeap<OwnerTimer>()
    private let published: PublishedView
    private(set) var tracker = TransactionTracker()
    private var subscriptions = SubscriptionIndex()
    /// Txids whose state changed since waits and subscriptions last caught up (only while
    /// there are any), and whether the tip moved meanwhile.
    private var touched = Set<Hash256>()
    private var tipMoved = false
    private var nextWaiter: UInt64 = 0
    /// When and on what the miner works: the pause, mine-ahead, going back, refreshing.
    private(set) var mining = MinerController()
    /// Why the node could not store its last block, while it cannot (a full disk): new puts
    /// are refused, reads go on, and every `storageProbeInterval` the store is tried again.
    private var storageFault: String?
    private var storageProbedAt: UInt64 = 0
    static let storageProbeInterval: UInt64 = 1_000
    private(set) var stopped = false

    /// Milliseconds since the Unix epoch (the chain's clock).
    let clock: @Sendable () -> UInt64
    /// Milliseconds on the timers' clock (monotonic in a node; the manual clock in tests).
    let timerClock: @Sendable () -> UInt64

    init(peers: sending PeerProtocol, policy: any MiningPolicy, wallet: Identity, miner: Miner?,
         executor: OwnerQueueExecutor, wakeup: (any OwnerWakeup)?, published: PublishedView, metrics: NodeMetrics,
         clock: @escaping @Sendable () -> UInt64, timerClock: @escaping @Sendable () -> UInt64, logger: Logger) {
        self.clock = clock
        self.timerClock = timerClock
        self.executor = executor
        chain = peers.chain
        self.peers = peers
        self.policy = policy
        self.wallet = wallet
        self.miner = miner
        self.wakeup = wakeup
        self.published = published
        self.metrics = metrics
        self.logger = logger
    }

    /// Handles one message, synchronously: the owner's one entry point.
    func handle(_ message: OwnerMessage) {
        switch message {
        case let .start(banner): start(banner: banner)
        case let .stop(reply):
            stop()
            reply.send()
        case .timersDue: fireDueTimers()
        case let .connect(outlet): self.outlet = outlet
        case let .mined(block): mined(block)
        case let .peerEvents(events, handled):
            receive(events)
            handled.send()
        case let .submit(transaction, reply):
            let result = admit(transaction)
            publish()
            reply.send(result)
        case let .submitBatch(batch, reply):
            let results = batch.map { admit($0) }
            publish()
            reply.send(results)
        case let .wait(request, registered, reply):
            wait(request, reply: reply)
            registered.send()
        case let .subscribe(request, reply): reply.send(subscribe(request))
        case let .unsubscribe(connection): unsubscribe(connection: connection)
        case let .block(hash, height, reply): reply.send(block(hash: hash, height: height))
        case let .peers(reply): reply.send(peerList())
        case let .knownAddresses(limit, reply):
            reply.send(peers.addresses.sample(limit, now: clock(), excluding: nil).map(\.address))
        }
    }

    /// Points the miner at its first template, starts the tick, and says so.
    private func start(banner: [String: String]) {
        guard !stopped else { return }
        refreshMining()
        startTicking()
        var metadata = Logger.Metadata()
        for (key, value) in banner { metadata[key] = "\(value)" }
        metadata["height"] = "\(chain.height)"
        logger.info("node started", metadata: metadata)
    }

    /// The view readers get, as the chain stands now.
    static func view(of chain: ReadOnlyChain, wallet: PublicKey, outcomes: TreeDictionary<Hash256, TransactionOutcome>,
                     mining: Bool, peers: Int) -> ChainView {
        ChainView(parameters: chain.parameters, wallet: wallet, keyIndex: chain.keyIndex, tip: chain.tip,
                  mempool: chain.mempool, outcomes: outcomes, mining: mining, peers: peers)
    }

    /// Publishes the current state to readers: a few references under a lock held for as long.
    func publish() {
        var view = Self.view(of: chain, wallet: wallet.publicKey, outcomes: tracker.outcomes, mining: miner != nil,
                             peers: peers.readyPeers.count)
        view.bestKnownHeight = peers.bestKnownHeight
        view.storageFault = storageFault
        published.publish(view)
        metrics.peers.record(view.peers)
        metrics.bestKnownHeight.record(view.bestKnownHeight)
        catchUpWaitsAndSubscriptions(view)
    }

    /// Notes that `txids` changed state, for waits and subscriptions to catch up with at the
    /// next publication.
    private func touch(_ txids: some Sequence<Hash256>) {
        guard !subscriptions.isEmpty || tracker.hasWaiters else { return }
        touched.formUnion(txids)
    }

    /// Answers the waits and notifies the subscribers that what changed since the last
    /// publication concerns: work in proportion to the change (`WaiterIndex`,
    /// `SubscriptionIndex`).
    private func catchUpWaitsAndSubscriptions(_ view: ChainView) {
        guard !touched.isEmpty || tipMoved else { return }
        let (changed, newTip) = (touched, tipMoved)
        touched = []
        tipMoved = false
        if tracker.hasWaiters {
            for (waiter, result) in tracker.waits.settle(touched: changed, in: view) {
                timers.cancel(.waitExpires(waiter.id))
                waiter.reply.send(result)
            }
        }
        subscriptions.notify(touched: changed, newTip: newTip, in: view)
    }

    var current: ChainView { published.current }

    // MARK: - Writes

    /// Admits a put through the protocol (which announces it to peers); returns its status.
    /// A put already pending or confirmed answers with its status again: retries are safe.
    private func admit(_ transaction: Transaction) -> Result<TransactionStatus, NodeRequestError> {
        guard !stopped else { return .failure(.shuttingDown) }
        if let storageFault { return .failure(.cannotStore(storageFault)) }
        let output = peers.handle(.submitted(transaction))
        finish(output)
        switch output.refusal {
        case nil:
            metrics.putsAccepted.increment()
            touch(CollectionOfOne(transaction.id))
            scheduleRefresh()
            return .success(TransactionStatus(transaction.id, .pending))
        case let .transaction(error):
            switch error {
            case .duplicate, .alreadyConfirmed:
                return .success(current.status(of: transaction.id) ?? TransactionStatus(transaction.id, .pending))
            default:
                tracker.record(transaction.id, TransactionOutcome(state: .rejected, error: error))
                touch(CollectionOfOne(transaction.id))
                metrics.putsRejected.increment()
                return .failure(.refused(error))
            }
        case let .block(error)?:
            return .failure(.storage(error.description))
        }
    }

    /// A block this node's miner sealed.
    private func mined(_ block: Block) {
        guard !stopped else { return }
        // Stored and announced first: see `ProtocolEvent.sealed`.
        let sealed = peers.handle(.sealed(block))
        outlet.offer(block.hash, Set(sealed.actions.compactMap { action -> PeerID? in
            guard case let .send(peer, .headers) = action else { return nil }
            return peer
        }))
        finish(sealed)
        // The miner moves on once the peers have the header: every other miner was racing
        // this block's parent until then, and the template took 20-60 ms of a busy node.
        if sealed.refusal == nil { mineAhead(on: block) }
        let output = peers.handle(.mined(block))
        finish(output)
        // One line per block sealed here: what an operator (and the attack experiment, which
        // measures each miner's share from them) reads to see who mines what.
        if output.refusal == nil { logger.info("mined", metadata: ["hash": "\(block.hash.short)"]) }
        if let refusal = output.refusal {
            logger.warning("own block refused", metadata: ["error": "\(refusal)"])
            // Its parent is still the tip: the miner may mine on it again at once.
            miner?.forgetFoundBlock()
        }
        // `finish` re-templated the miner if the chain moved; if not, the solved template is
        // spent all the same.
        if output.chainUpdates.isEmpty { refreshMining() }
        abandonAheadIfNotConnected()
    }

    /// An event from the transport (a connection, a message, a tick).
    private func receive(_ event: ProtocolEvent) { receive([event]) }

    /// Events handled in turn; readers see one publication after the lot (each chain update
    /// is published as it happens, in `finish`).
    private func receive(_ events: [ProtocolEvent]) {
        if storageFault != nil, clock() >= storageProbedAt + Self.storageProbeInterval { probeStorage() }
        let waiting = chain.mempool.count
        var changed = false
        for event in events {
            guard !stopped else { return }
            // The miner moves to a peer's block once its body checks pass, before the store's
            // fsync and the connection (`mineAhead`).
            if let block = peers.checkedTipExtension(in: event) { mineAhead(on: block) }
            let output = peers.handle(event)
            finish(output)
            // A quiet tick changes nothing readers see; anything else may have.
            if case .tick = event, output.actions.isEmpty && output.chainUpdates.isEmpty { continue }
            changed = true
        }
        // A peer's puts join the template as a client's do: the next block this node mines
        // carries them, whoever they were sent to.
        if chain.mempool.count > waiting { scheduleRefresh() }
        pauseOrResumeMining()  // and back to the tip if a block mined ahead on did not connect
        if changed { publish() }
    }

    /// Sends the protocol's actions and applies its chain updates to waiters, subscribers and
    /// metrics: a peer's block is treated exactly as the node's own.
    private func finish(_ output: ProtocolOutput) {
        if !output.actions.isEmpty { outlet.perform(output.actions) }
        if !output.admitted.isEmpty { touch(output.admitted) }
        if let fault = output.storageFault {
            if storageFault == nil {
                logger.error("cannot store blocks; refusing new puts until the disk has room (reads go on)", metadata: ["error": "\(fault)"])
            }
            storageFault = fault
            storageProbedAt = clock()
            publish()
        } else if storageFault != nil && !output.chainUpdates.isEmpty {
            clearStorageFault()
        }
        for update in output.chainUpdates { apply(update) }
        if !output.chainUpdates.isEmpty { refreshMining() }
    }

    /// Tries the store again after a failure; on success the node takes puts again.
    private func probeStorage() {
        storageProbedAt = clock()
        do {
            try peers.probeStorage()
            clearStorageFault()
        } catch {
            storageFault = error.description
        }
    }

    private func clearStorageFault() {
        logger.notice("blocks can be stored again; taking new puts", metadata: ["was": "\(storageFault ?? "")"])
        storageFault = nil
        publish()
    }

    // MARK: - Waiting

    /// Registers a wait (answering at once if the view already decides it); `reply` gets the
    /// answer when it settles, fails or times out.
    private func wait(_ request: WaitRequest, reply: OwnerReply<Result<[TransactionStatus], NodeRequestError>>) {
        guard !stopped else { return reply.send(.failure(.shuttingDown)) }
        nextWaiter += 1
        let waiter = Waiter(id: nextWaiter, connection: request.connection, txids: request.txids, depth: max(request.depth, 1),
                            all: request.all, reply: reply)
        let view = current
        if let result = waiter.evaluate(in: view) { return reply.send(result) }
        if let refusal = tracker.waits.refusal(count: request.txids.count, connection: request.connection) {
            return reply.send(.failure(refusal))
        }
        tracker.waits.add(waiter, in: view)
        refreshMining()
        setTimer(.waitExpires(waiter.id), in: min(request.timeout, .seconds(3_600)).wholeMilliseconds)
    }

    private func expire(_ id: UInt64) {
        guard let waiter = tracker.waits.remove(id) else { return }
        waiter.reply.send(.failure(.timedOut(txids: waiter.txids, depth: waiter.depth)))
        refreshMining()
    }

    // MARK: - Subscriptions

    /// Registers a connection for notifications (adding to its earlier subscription), unless
    /// that would pass a bound (the refusal).
    private func subscribe(_ request: SubscribeRequest) -> NodeRequestError? {
        guard !stopped else { return .shuttingDown }
        if let refusal = subscriptions.refusal(adding: request.txids, connection: request.connection) { return refusal }
        subscriptions.subscribe(connection: request.connection, txids: request.txids, tips: request.tips, sink: request.sink, in: current)
        return nil
    }

    /// Forgets a closed connection's subscription and its waits (their answers would go
    /// nowhere, and they would hold their share of the bounds for up to an hour).
    private func unsubscribe(connection: UInt64) {
        subscriptions.unsubscribe(connection: connection)
        let removed = tracker.waits.remove(connection: connection)
        for id in removed { timers.cancel(.waitExpires(id)) }
        if !removed.isEmpty { refreshMining() }
    }

    // MARK: - Mining

    /// Re-templates the miner after puts arrive, at most every `policy.refreshDelay`.
    private func scheduleRefresh() {
        guard !timers.contains(.refreshTemplate), mining.refreshWanted, miner != nil else { return }
        setTimer(.refreshTemplate, in: policy.refreshDelay.wholeMilliseconds)
    }

    /// The node as the miner's controller sees it now.
    private func miningSituation() -> MinerController.Situation {
        MinerController.Situation(awaitingBetterBlock: peers.awaitsBetterBlock,
                                  policyMines: policy.shouldMine(waitingPuts: chain.mempool.count, waitingClients: tracker.hasWaiters),
                                  tip: chain.tip.hash, now: clock())
    }

    /// After a peer's events: pause or resume, or go back to the tip (`MinerController`).
    private func pauseOrResumeMining() {
        guard miner != nil, !stopped else { return }
        if let work = mining.afterEvents(miningSituation()) { mine(work) }
    }

    /// After this node's own block was connected, or not: back to the tip if the miner was
    /// ahead on a block that did not become it.
    private func abandonAheadIfNotConnected() {
        guard miner != nil, !stopped else { return }
        if let work = mining.afterConnecting(miningSituation()) { mine(work) }
    }

    /// Points the miner at a block that extends the tip once the block has passed its body
    /// checks, before it is stored and connected, with the waiting puts that connecting it
    /// cannot make invalid. Called for a peer's block between its check and its store
    /// (`receive`), and for this node's own once its header is announced (`mined`); the
    /// template after the connection follows (`finish`).
    private func mineAhead(on block: Block) {
        guard let miner, !stopped, storageFault == nil, let template = chain.makeTemplate(extending: block) else { return }
        let policyMines = policy.shouldMine(waitingPuts: template.transactions.count, waitingClients: tracker.hasWaiters)
        guard mining.bodyChecked(block.hash, templateHoldsPuts: !template.transactions.isEmpty, policyMines: policyMines) != nil else { return }
        miner.update(template)
    }

    /// Points the miner at a fresh template on the tip, or idles it (`MinerController.refresh`).
    func refreshMining() {
        guard miner != nil, !stopped else { return }
        mine(mining.refresh(miningSituation()))
    }

    /// Gives the miner what the controller decided.
    private func mine(_ work: MinerController.Work) {
        guard let miner else { return }
        switch work {
        case .idle:
            miner.update(nil)
        case .tip:
            let template = chain.makeTemplate()
            mining.templateMade(holding: template.transactions.count, waiting: chain.mempool.count)
            miner.update(template)
        case .ahead:
            break  // `mineAhead` hands the miner its template on the block itself
        }
    }

    // MARK: - After the chain moved

    /// Records evictions, answers waiters and notifies subscribers after the chain moved.
    private func apply(_ update: ChainUpdate) {
        if let tip = update.tip, !update.connected.isEmpty {
            // One line a block, as an operator expects of a node (Bitcoin Core's UpdateTip).
            logger.info("new tip", metadata: [
                "height": "\(tip.height)", "hash": "\(tip.hash.short)", "connected": "\(update.connected.count)",
                "disconnected": "\(update.disconnected.count)", "mempool": "\(chain.mempool.count)",
            ])
        }
        metrics.blocksConnected.increment(by: update.connected.count)
        if update.isReorganisation { metrics.reorganisations.increment() }
        metrics.putsEvicted.increment(by: update.evicted.count)
        metrics.height.record(chain.height)
        metrics.mempool.record(chain.mempool.count)
        metrics.keys.record(chain.keyIndex.keyCount)
        for evicted in update.evicted {
            tracker.record(evicted.transaction.id, TransactionOutcome(state: .evicted, error: evicted.reason))
        }
        touch(update.confirmedTransactions)
        touch(update.unconfirmedTransactions)
        touch(update.evicted.lazy.map(\.transaction.id))
        if !update.connected.isEmpty { tipMoved = true }
        publish()
    }

    // MARK: - Blocks

    /// A stored block by hash, by height on the best chain, or the tip.
    private func block(hash: Hash256?, height: UInt32?) -> Result<BlockReport, NodeRequestError> {
        let node: BlockNode?
        if let hash {
            node = chain.tree.node(hash)
        } else if let height {
            node = chain.tree.activeNode(at: height)
        } else {
            node = chain.tip
        }
        let selector = hash.map { "with hash \($0.hex)" } ?? height.map { "at height \($0)" } ?? "at the tip"
        guard let node, node.hasData else { return .failure(.blockNotFound(selector)) }
        let block: Block
        do { block = try chain.block(node.hash) } catch { return .failure(.storage(error.description)) }
        let active = chain.tree.isActive(node.hash)
        return .success(BlockReport(node: node, block: block, onBestChain: active,
                                    confirmations: active ? chain.height - node.height + 1 : 0))
    }

    // MARK: - Peers

    /// The connections and bans, for `peers`.
    private func peerList() -> PeerReport {
        let now = clock()
        let connections = peers.summaries.map { peer in
            let traffic = outlet.traffic(peer.id)
            return PeerReport.Connection(summary: peer, bytesIn: traffic?.bytesIn ?? 0, bytesOut: traffic?.bytesOut ?? 0,
                                         connectedSeconds: now > peer.connectedAt ? (now - peer.connectedAt) / 1_000 : 0)
        }
        let bans = peers.addresses.bans(now: now).map { ban in
            PeerReport.Ban(host: ban.host.hostText, remainingSeconds: (ban.until - now) / 1_000)
        }
        return PeerReport(connections: connections, bans: bans)
    }

    // MARK: - Timers

    /// Starts the protocol's tick.
    private func startTicking() {
        setTimer(.tick, in: Self.tickInterval)
    }

    /// The protocol's tick, in milliseconds.
    static let tickInterval: UInt64 = 100

    /// Sets `timer` to fire `milliseconds` from now (by the timers' clock), moving it if set.
    private func setTimer(_ timer: OwnerTimer, in milliseconds: UInt64) {
        guard !stopped else { return }
        timers.set(timer, at: timerClock() + milliseconds)
        rearm()
    }

    /// Handles the timers due now; the wakeup calls it through the mailbox's first lane, and
    /// tests on a manual clock call it directly.
    func fireDueTimers() {
        guard !stopped else { return }
        for timer in timers.popDue(at: timerClock()) {
            guard !stopped else { return }
            switch timer {
            case .tick:
                receive(.tick)
                if let miner { metrics.hashRate.record(miner.hashRate) }
                startTicking()
            case .refreshTemplate:
                refreshMining()
            case let .waitExpires(id):
                expire(id)
            }
        }
        rearm()
    }

    private func rearm() {
        guard let earliest = timers.earliest else { return }
        let now = timerClock()
        wakeup?.wake(in: earliest > now ? earliest - now : 0)
    }

    // MARK: - Stopping

    /// Fails every waiting client, drops subscriptions and waits for the key index's database
    /// to record the last updates.
    private func stop() {
        guard !stopped else { return }
        stopped = true
        timers.removeAll()
        wakeup?.cancel()
        for waiter in tracker.waits.removeAll() { waiter.reply.send(.failure(.shuttingDown)) }
        subscriptions.removeAll()
        do { try peers.close() } catch {
            logger.error("could not close the chain cleanly at shutdown", metadata: ["error": "\(error)"])
        }
        logger.info("node stopped", metadata: ["height": "\(chain.height)"])
    }
}
