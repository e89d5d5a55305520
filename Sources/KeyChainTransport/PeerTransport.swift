import Dispatch
import KeyChainChain
import KeyChainCore
import KeyChainP2P
import KeyChainWire
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Synchronization

/// The peer protocol over TCP: the adapter between SwiftNIO channels and the node's
/// `PeerProtocol` (events in, actions out), as the simulator is the adapter over virtual links.
/// Connections, bytes and failures become `ProtocolEvent`s for the node's owner; the owner's
/// `ProtocolAction`s become writes, dials and closes. It decides three things itself: it
/// answers `getdata` for the block this node just sealed (`offer`), it routes arriving
/// signatures to be verified before the owner sees them, and it stops reading a peer whose
/// messages wait unhandled. A recent block is framed once, whoever sends it (`RecentBlocks`).
public final class PeerTransport: Sendable {
    /// The frame magic of the node's network.
    let magic: UInt32
    /// The network's parameters, given to a node that asks before it knows any network.
    let network: NetworkParameters
    private let group: any EventLoopGroup
    private let logger: Logger
    private let dialTimeout: TimeAmount
    private let state = NIOLockedValueBox(State())
    private let nextID = Atomic<UInt64>(0)
    private let metrics = PeerMetrics()
    /// Where arriving blocks' and puts' signatures are verified and remembered (the node's).
    private let verification: VerificationService?
    /// Whether the node is catching up (a sync): then a block's signatures are bulk work.
    private let catchingUp: @Sendable () -> Bool
    /// The chain's last blocks, each framed once for every peer that is sent it.
    private let recentBlocks: RecentBlocks

    /// Where events go (the node's owner), with what to run once the owner has handled them.
    public typealias Deliver = @Sendable (_ events: [ProtocolEvent], _ handled: @escaping @Sendable () -> Void) -> Void

    private struct State {
        var links: [PeerID: PeerLink] = [:]
        var deliver: Deliver?
        var listener: Channel?
        var closed = false
        /// The block this node last sealed (in `recentBlocks`), and the peers told of it that
        /// have not asked yet (`offer`).
        var offered: (hash: Hash256, to: Set<PeerID>)?
    }

    /// A transport for `network`; `catchingUp` tells it when the node is far behind its peers,
    /// `recentBlocks` are the chain's (`Blockchain.recentBlocks`).
    public init(network: NetworkParameters, verification: VerificationService? = nil, recentBlocks: RecentBlocks = RecentBlocks(),
                dialTimeout: TimeAmount = .seconds(10), logger: Logger,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                catchingUp: @escaping @Sendable () -> Bool = { true }) {
        magic = Frame.magic(for: network.genesisHash)
        self.network = network
        self.verification = verification
        self.recentBlocks = recentBlocks
        self.catchingUp = catchingUp
        self.group = group
        self.logger = logger
        self.dialTimeout = dialTimeout
    }

    /// Starts taking connections on `host:port` (port 0 picks one); returns the bound port.
    /// Connections that arrive before `attach` are closed.
    public func listen(host: String, port: Int) async throws -> Int {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 128)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let remote = channel.remoteAddress.flatMap(PeerAddress.init) else {
                        throw ChannelError.inappropriateOperationForState
                    }
                    try channel.pipeline.syncOperations.addHandler(makeHandler(channel: channel, outbound: false, address: remote))
                }
            }
            .bind(host: host, port: port).get()
        state.withLockedValue { $0.listener = channel }
        return channel.localAddress?.port ?? port
    }

    /// Sends every event to `deliver` (the node's owner) from now on, in batches: what one
    /// read of a socket brought arrives as one batch, all of one peer. `deliver` runs its
    /// `handled` argument once the owner has handled the batch: until then the batch's bytes
    /// count against its peer's inbox.
    public func attach(_ deliver: @escaping Deliver) {
        state.withLockedValue { $0.deliver = deliver }
    }

    /// Closes the listener and every connection.
    public func close() {
        let (listener, links) = state.withLockedValue { state in
            state.closed = true
            state.deliver = nil
            return (state.listener, Array(state.links.values))
        }
        listener?.close(promise: nil)
        for link in links { link.channel.close(promise: nil) }
    }

    /// The traffic of one connection so far.
    public func traffic(of peer: PeerID) -> (bytesIn: UInt64, bytesOut: UInt64)? {
        guard let link = state.withLockedValue({ $0.links[peer] }) else { return nil }
        return (link.bytesIn.load(ordering: .relaxed), link.bytesOut.load(ordering: .relaxed))
    }

    /// Bytes of `peer`'s messages that the owner has not handled yet.
    func waitingBytes(of peer: PeerID) -> Int? {
        state.withLockedValue { $0.links[peer] }?.inboxBytes.load(ordering: .relaxed)
    }

    // MARK: - Actions from the protocol

    /// Carries out the protocol's actions; called on the owner's queue.
    public func perform(_ actions: [ProtocolAction]) {
        var sends: [PeerID: [Message]] = [:]
        var order: [PeerID] = []
        for action in actions {
            switch action {
            case let .send(peer, message):
                if sends[peer] == nil { order.append(peer) }
                sends[peer, default: []].append(message)
                metrics.sent(message.command)
            case let .dial(address):
                dial(address)
            case let .disconnect(peer, reason, ban):
                // Frames queued before the close are flushed first: a `reject` reaches the peer.
                if let messages = sends.removeValue(forKey: peer) { write(messages, to: peer) }
                guard let link = link(peer) else { continue }
                logger.notice("peer disconnected", metadata: ["peer": "\(link.address)", "reason": "\(reason)", "banned": "\(ban)"])
                if ban { metrics.bans.increment() }
                // Through the outbox, behind the writes queued there.
                link.outbox.async { link.channel.close(promise: nil) }
            }
        }
        for peer in order { if let messages = sends[peer] { write(messages, to: peer) } }
    }

    private func link(_ peer: PeerID) -> PeerLink? { state.withLockedValue { $0.links[peer] } }

    /// Frames `messages` on the link's outbox (neither on the owner's queue, which only
    /// decided to send them, nor on the event loop every peer shares) into one buffer, and
    /// writes it with one flush.
    private func write(_ messages: [Message], to peer: PeerID) {
        guard let link = link(peer) else { return }
        link.outbox.async { [self] in
            var buffer = link.channel.allocator.buffer(capacity: 0)
            for message in messages { buffer.writeBytes(frame(message)) }
            write(buffer, on: link)
        }
    }

    /// `message` framed; a recent block's frame is made once and shared by every peer sent it.
    private func frame(_ message: Message) -> [UInt8] {
        guard case let .block(body) = message, let frame = recentFrame(body.block.hash) else { return Frame.encode(message, magic: magic) }
        return frame
    }

    /// The shared frame of the recent block `hash`, made by the first sender that asks.
    private func recentFrame(_ hash: Hash256) -> [UInt8]? {
        recentBlocks.frame(of: hash) { Frame.encode(.block(BlockMessage($0)), magic: magic) }
    }

    /// Writes framed bytes with one flush, counting them as unsent until written; from the
    /// link's outbox or inbox (the channel takes writes from any thread, in the order made).
    private func write(_ buffer: ByteBuffer, on link: PeerLink) {
        let channel = link.channel
        let size = buffer.readableBytes
        let pending = link.pending.add(size, ordering: .relaxed).newValue
        // Reported while above one frame's worth (the protocol drops a peer that does not
        // read, and holds back its queued block requests), and once as it falls back.
        let reported = Frame.maxPayloadLength
        if pending > reported { deliver(.backlog(link.id, bytes: pending)) }
        let promise = channel.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenComplete { [self] _ in
            let left = link.pending.subtract(size, ordering: .relaxed).newValue
            link.bytesOut.add(UInt64(size), ordering: .relaxed)
            if left <= reported && left + size > reported { deliver(.backlog(link.id, bytes: left)) }
        }
        channel.writeAndFlush(buffer, promise: promise)
        metrics.bytesOut.increment(by: size)
    }

    /// Answers peers' `getdata` for `block`, a block this node sealed and announced, as it
    /// arrives, without the owner's queue, as Bitcoin Core serves its most recent block
    /// without the chain lock. The owner announces its own block once the block is stored and
    /// connects it next, which takes a busy node 60-300 ms; the peers' requests, a round trip
    /// after the announcement, waited behind that, and their miners idled meanwhile (they
    /// pause while a better block is on its way). Only `peers`, the ready peers the protocol
    /// announced it to, are answered so, once each: anyone else's request goes to the protocol,
    /// which refuses a `getdata` before the handshake. The block is read from `recentBlocks`,
    /// where the chain put it when it was stored.
    /// The block is framed at once, in the background: the peers' requests come a round trip
    /// later and find the frame made (or wait for it under its lock), instead of the first
    /// one's outbox spending 15-50 ms on it then.
    public func offer(_ hash: Hash256, to peers: Set<PeerID>) {
        state.withLockedValue { $0.offered = peers.isEmpty ? nil : (hash, peers) }
        guard !peers.isEmpty else { return }
        Self.framingAhead.async { [self] in _ = recentFrame(hash) }
    }

    /// Where the block this node sealed is framed ahead of its peers' requests.
    private static let framingAhead = DispatchQueue(label: "keychain.transport.framing-ahead", qos: .userInitiated)

    /// `messages` less the offered block's item of their first `getdata`, which is answered
    /// here if `link` is one of the peers it was offered to and the answer keeps the peer's
    /// order: nothing it sent before still waits for a reply, neither earlier in `messages` nor
    /// at the owner. Otherwise the request goes to the protocol, behind what came before it,
    /// and is answered from the same frame. On the link's inbox.
    private func answeringOffered(_ messages: [Message], on link: PeerLink) -> [Message] {
        guard let first = messages.firstIndex(where: \.expectsReply), case let .getData(request) = messages[first],
              let offered = state.withLockedValue({ $0.offered }), offered.to.contains(link.id),
              request.inventory.items.contains(InventoryItem(.block, offered.hash)),
              link.requestsAtOwner.load(ordering: .relaxed) == 0 else { return messages }
        let item = InventoryItem(.block, offered.hash)
        guard let frame = recentFrame(offered.hash) else { return messages }
        // Claimed under the lock: a newer offer, or this peer's earlier request, wins.
        guard state.withLockedValue({ state in
            state.offered?.hash == item.hash && state.offered?.to.remove(link.id) != nil
        }) else { return messages }
        metrics.sent(BlockMessage.command)
        var buffer = link.channel.allocator.buffer(capacity: frame.count)
        buffer.writeBytes(frame)
        write(buffer, on: link)
        var rest = messages
        let others = request.inventory.items.filter { $0 != item }
        if others.isEmpty { rest.remove(at: first) } else { rest[first] = .getData(GetDataMessage(others)) }
        return rest
    }

    private func dial(_ address: PeerAddress) {
        let outcome = ClientBootstrap(group: group)
            .connectTimeout(dialTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(makeHandler(channel: channel, outbound: true, address: address))
                }
            }
            .connect(host: address.hostText, port: Int(address.port))
        outcome.whenFailure { [self] error in
            logger.debug("dial failed", metadata: ["address": "\(address)", "error": "\(error)"])
            deliver(.dialFailed(address))
        }
    }

    // MARK: - Connections

    private func makeHandler(channel: Channel, outbound: Bool, address: PeerAddress) -> PeerChannelHandler {
        let id = PeerID(nextID.add(1, ordering: .relaxed).newValue)
        let link = PeerLink(id: id, channel: channel, outbound: outbound, address: address)
        return PeerChannelHandler(link: link, magic: magic, transport: self)
    }

    /// A connection is up: registered, then announced to the protocol (or closed if the node
    /// is not attached, or the transport closed).
    func opened(_ link: PeerLink) -> Bool {
        let deliver = state.withLockedValue { state -> Deliver? in
            guard !state.closed, let deliver = state.deliver else { return nil }
            state.links[link.id] = link
            return deliver
        }
        guard let deliver else { return false }
        metrics.connections.increment()
        deliver([.connected(link.id, outbound: link.outbound, address: link.address)], {})
        return true
    }

    /// A connection is gone (after whatever it sent before).
    func closed(_ link: PeerLink) {
        let known = state.withLockedValue { $0.links.removeValue(forKey: link.id) != nil }
        if known {
            metrics.connections.decrement()
            link.inbox.async { [self] in deliver(.disconnected(link.id)) }
        }
    }

    /// A connection sent a bad frame; its handler closes it.
    func malformed(_ link: PeerLink, reason: String) {
        logger.notice("peer sent a malformed frame", metadata: ["peer": "\(link.address)", "reason": "\(reason)"])
        link.inbox.async { [self] in deliver(.malformed(link.id, reason: reason)) }
    }

    /// Frames arrived (all that one read brought): on the link's inbox, off the event loop,
    /// they are opened (checksums, decoding: a SHA-256d per put of a block), the offered block
    /// is answered early, their signatures are verified by the `VerificationService` (a sync's
    /// blocks at nice +10), in parallel with other peers' (the owner then finds them in the
    /// cache), and they
    /// reach the owner as one batch, in the order they came (or several, when they name more
    /// inventory entries than one turn should handle: `Message.entriesPerTurn`). While the
    /// owner connects one block, the next ones are being verified: during a sync, verification
    /// leaves the critical path. A frame that does not open ends the connection; what came
    /// before it is handed on first, nothing after it.
    func arrived(_ frames: [RawFrame], bytes: Int, on link: PeerLink) {
        link.inboxBytes.add(bytes, ordering: .relaxed)
        link.inbox.async { [self] in
            guard !link.sentMalformedFrame.load(ordering: .relaxed) else {
                link.inboxBytes.subtract(bytes, ordering: .relaxed)
                return
            }
            var opened: [Message] = []
            opened.reserveCapacity(frames.count)
            for frame in frames {
                do throws(WireError) {
                    opened.append(try frame.message())
                } catch {
                    link.sentMalformedFrame.store(true, ordering: .relaxed)
                    malformed(link, reason: error.description)  // queued on the inbox: after what came before
                    link.channel.close(promise: nil)
                    break
                }
            }
            let messages = answeringOffered(opened, on: link)
            guard !messages.isEmpty else {
                link.inboxBytes.subtract(bytes, ordering: .relaxed)
                return
            }
            prepare(messages, bytes: bytes, on: link)
        }
    }

    /// Verifies what needs it and hands `messages` to the owner; on the link's inbox.
    private func prepare(_ messages: [Message], bytes: Int, on link: PeerLink) {
        // The batch's bytes count against the peer until the owner has handled it, not when it
        // is posted: otherwise a flooding peer's batches pile up in the owner's lane unbounded.
        // Split into turns, they are released with the last, which the owner handles last.
        let turns = messages.turns()
        let handOver: @Sendable () -> Void = { [self] in
            for (index, turn) in turns.enumerated() {
                // Counted until handled: the early answer must not overtake their replies.
                let requests = turn.count(where: \.expectsReply)
                if requests > 0 { link.requestsAtOwner.add(requests, ordering: .relaxed) }
                let last = index == turns.count - 1
                deliver(turn.map { .received(link.id, $0) }) {
                    if requests > 0 { link.requestsAtOwner.subtract(requests, ordering: .relaxed) }
                    guard last else { return }
                    let waiting = link.inboxBytes.subtract(bytes, ordering: .relaxed).newValue
                    if waiting <= PeerLink.maxInboxBytes / 2 && link.readingPaused.exchange(false, ordering: .relaxed) {
                        link.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
                        self.deliver(.reading(link.id, paused: false))
                    }
                }
            }
        }
        var blocks: [Transaction] = []
        var relayed: [Transaction] = []
        for message in messages {
            switch message {
            case let .block(body): blocks += body.block.transactions
            case let .tx(body): relayed.append(body.transaction)
            // A compact block's puts sent whole, and those it lacked: a block at the tip.
            case let .compactBlock(body): relayed += body.prefilled.map(\.transaction)
            case let .blockTransactions(body): relayed += body.transactions
            default: break
            }
        }
        guard let verification, !(relayed.isEmpty && blocks.isEmpty) else { return handOver() }
        // Relayed puts and a block at the network's tip (with puts the relay has not brought
        // yet) are what this node's miner waits for: normal priority. A sync's bulk runs at
        // nice +10, below the event loops that answer reads. The inbox waits, suspended and
        // holding no thread, so what the peer sent still reaches the owner in order, and a
        // peer has one job in the service at a time. The service looks the signatures up in
        // the cache once; when all are there it calls back at once, here.
        let priority: VerificationService.Priority = !blocks.isEmpty && catchingUp() ? .sync : .tip
        link.inbox.suspend()
        verification.verify(relayed + blocks, priority) {
            handOver()
            link.inbox.resume()
        }
    }

    /// Bytes and messages that arrived, counted.
    func received(_ bytes: Int, message: String?) {
        if bytes > 0 { metrics.bytesIn.increment(by: bytes) }
        if let message { metrics.received(message) }
    }

    func deliver(_ event: ProtocolEvent) { deliver([event]) {} }

    func deliver(_ events: [ProtocolEvent], handled: @escaping @Sendable () -> Void) {
        guard let deliver = state.withLockedValue({ $0.deliver }) else { return handled() }
        deliver(events, handled)
    }
}
