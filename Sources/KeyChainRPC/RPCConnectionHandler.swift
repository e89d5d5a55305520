import DequeModule
import Foundation
import KeyChainAPI
import KeyChainOwner
import Logging
import NIOCore

/// One connection. Its requests take effect in order: a read waits until every write before
/// it has taken effect, and writes reach the chain's owner in order, though several may be
/// prepared (decoded, their signatures verified) at once. Replies leave in request order.
/// Everything here runs on the connection's event loop.
final class RPCConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = LineFrame
    typealias OutboundOut = ByteBuffer

    /// Where a request stands while it waits its turn.
    private enum Stage {
        case read(@Sendable (ChainView) -> String?)
        case listing(@Sendable (ChainView) -> String?)
        case preparing
        case prepared(RPCDelivery)
    }

    /// A request: its place in the connection's order, and its method and arrival for its timer.
    struct Tag: Sendable {
        let sequence: Int
        let method: String
        let started: UInt64
    }

    private struct Request {
        let tag: Tag
        var stage: Stage
    }

    private let dispatcher: RPCDispatcher
    private let maxLength: Int
    private let logger: Logger
    private var nextSequence = 0
    private var nextToWrite = 0
    private var finished: [Int: String?] = [:]
    /// Bytes of the replies in `finished`.
    private var heldReplyBytes = 0
    /// Whether the connection is being read (see `updateReading`).
    private var reading = true

    /// Requests read and not yet answered past which the connection is read no further.
    static let maxOutstanding = 1_024
    /// Bytes of replies that wait for an earlier one past which the connection is read no
    /// further.
    static let maxHeldReplyBytes = 4 << 20
    /// Requests not yet carried out, in order.
    private var waiting = Deque<Request>()
    /// Writes handed to the owner whose effect is not yet published.
    private var unapplied = 0
    /// Requests being prepared on the `VerificationService` (see `maxPreparing`).
    private var preparing = 0
    /// A request prepared with nothing ahead of it, which its verifier's thread hands to the
    /// owner itself, not yet reported back (0 or 1): writes behind it wait for it.
    private var handingDirectly = 0
    /// Requests of one connection being prepared at once past which it is read no further:
    /// each is a job on the service's `tip` threads, which every connection and peer share.
    static let maxPreparing = 64
    private var removed = false

    init(dispatcher: RPCDispatcher, maxLength: Int, logger: Logger) {
        self.dispatcher = dispatcher
        self.maxLength = maxLength
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let started = DispatchTime.now().uptimeNanoseconds
        let (step, method) = dispatcher.step(for: unwrapInboundIn(data), maxLength: maxLength)
        let tag = Tag(sequence: nextSequence, method: method, started: started)
        nextSequence += 1
        defer { updateReading(context: context) }
        switch step {
        case let .reply(reply):
            complete(tag, reply, context: context)
        case let .read(answer):
            if waiting.isEmpty && unapplied == 0 {
                complete(tag, answer(dispatcher.node.view), context: context)  // the common case: no hop, no queue
            } else {
                waiting.append(Request(tag: tag, stage: .read(answer)))
            }
        case let .listing(answer):
            waiting.append(Request(tag: tag, stage: .listing(answer)))
            drain(context: context)
        case let .deliver(delivery):
            waiting.append(Request(tag: tag, stage: .prepared(delivery)))
            drain(context: context)
        case let .prepare(work):
            preparing += 1
            let verification = dispatcher.node.verification
            if waiting.isEmpty && handingDirectly == 0 {
                // Nothing of this connection waits to go ahead of it, so once prepared it goes
                // to the owner from the verifier's thread: one hop fewer for the common put.
                // Counted as handed from now on: reads and writes behind it wait for it.
                handingDirectly += 1
                unapplied += 1
                let settle = settlingDirectly(tag, context: context)
                verification.run(.tip) { settle(work()) }
            } else {
                waiting.append(Request(tag: tag, stage: .preparing))
                let settle = settling(tag, context: context)
                verification.run(.tip) { settle(work()) }
            }
        }
    }

    /// What a request prepared with nothing ahead of it does once ready, on the verifier's
    /// thread: signatures it still names are verified first; then it is handed to the owner
    /// from there (or, with bad params, answered), and the connection is told on its loop.
    private func settlingDirectly(_ tag: Tag, context: ChannelHandlerContext) -> @Sendable (RPCDelivery) -> Void {
        let verification = dispatcher.node.verification
        let handle = RPCReplyHandle(handler: self, context: context, request: tag)
        @Sendable func settle(_ delivery: RPCDelivery) {
            switch delivery {
            case let .afterVerifying(transactions, then):
                verification.verify(transactions, .tip) { settle(then()) }
            case let .owner(hand):
                hand(handle)
                handle.onLoop { handler, context in handler.handedDirectly(context: context) }
            case let .reply(reply):
                handle.onLoop { handler, context in
                    handler.unapplied -= 1
                    handler.complete(tag, reply, context: context)
                    handler.handedDirectly(context: context)
                }
            }
        }
        return settle
    }

    /// A request prepared with nothing ahead of it went to the owner (or was answered): the
    /// writes behind it may go.
    private func handedDirectly(context: ChannelHandlerContext) {
        guard !removed else { return }
        handingDirectly -= 1
        preparing -= 1
        drain(context: context)
        updateReading(context: context)
    }

    /// What files a request's delivery once it is ready: signatures it still names are
    /// verified first, on the service's threads; then it is filed, on the event loop.
    private func settling(_ tag: Tag, context: ChannelHandlerContext) -> @Sendable (RPCDelivery) -> Void {
        let verification = dispatcher.node.verification
        let handle = RPCReplyHandle(handler: self, context: context, request: tag)
        @Sendable func settle(_ delivery: RPCDelivery) {
            if case let .afterVerifying(transactions, then) = delivery {
                return verification.verify(transactions, .tip) { settle(then()) }
            }
            handle.onLoop { handler, context in handler.prepared(tag.sequence, delivery, context: context) }
        }
        return settle
    }

    private func prepared(_ sequence: Int, _ delivery: RPCDelivery, context: ChannelHandlerContext) {
        guard !removed else { return }
        preparing -= 1
        // The line is in sequence order: a binary search, not a scan of a deep pipeline.
        var low = 0, high = waiting.count
        while low < high {
            let mid = (low + high) / 2
            if waiting[mid].tag.sequence < sequence { low = mid + 1 } else { high = mid }
        }
        guard low < waiting.count, waiting[low].tag.sequence == sequence else { return }
        waiting[low].stage = .prepared(delivery)
        drain(context: context)
    }

    /// Carries out the requests at the head of the line that may go now.
    private func drain(context: ChannelHandlerContext) {
        while !removed, let head = waiting.first {
            switch head.stage {
            case .preparing:
                return
            case let .read(answer):
                guard unapplied == 0 else { return }
                waiting.removeFirst()
                complete(head.tag, answer(dispatcher.node.view), context: context)
            case let .listing(answer):
                guard unapplied == 0 else { return }
                waiting.removeFirst()
                let view = dispatcher.node.view  // the view as of now, in request order
                let handle = RPCReplyHandle(handler: self, context: context, request: head.tag)
                RPCDispatcher.listingQueue.async { handle.reply { answer(view) } }
            case let .prepared(.reply(reply)):
                waiting.removeFirst()
                complete(head.tag, reply, context: context)
            case .prepared(.owner):
                guard handingDirectly == 0 else { return }  // the owner gets writes in order
                guard case let .prepared(.owner(hand)) = waiting.removeFirst().stage else { return }
                unapplied += 1
                hand(RPCReplyHandle(handler: self, context: context, request: head.tag))
            case .prepared(.afterVerifying):
                // A `deliver` that names signatures: prepared like a `prepare`'s.
                waiting[0].stage = .preparing
                preparing += 1
                if case let .prepared(delivery) = head.stage { settling(head.tag, context: context)(delivery) }
                return
            }
        }
    }

    /// A write handed to the owner has taken effect: the reads behind it may go.
    func applied(context: ChannelHandlerContext) {
        unapplied -= 1
        drain(context: context)
    }

    /// A request's reply is ready; it leaves with those before it, in order.
    func complete(_ request: Tag, _ reply: String?, context: ChannelHandlerContext) {
        guard !removed else { return }  // the client left before its reply was ready
        RPCMetrics.timer(request.method).recordNanoseconds(DispatchTime.now().uptimeNanoseconds - request.started)
        finished[request.sequence] = .some(reply)
        heldReplyBytes += reply?.utf8.count ?? 0
        var wrote = false
        while let ready = finished.removeValue(forKey: nextToWrite) {
            nextToWrite += 1
            guard let line = ready else { continue }
            heldReplyBytes -= line.utf8.count
            var buffer = context.channel.allocator.buffer(capacity: line.utf8.count + 1)
            buffer.writeString(line)
            buffer.writeInteger(UInt8(ascii: "\n"))
            context.write(wrapOutboundOut(buffer), promise: nil)
            wrote = true
        }
        if wrote { context.flush() }
        updateReading(context: context)
    }

    /// Reads the connection only while it is within its bounds: a client whose replies pile up
    /// unread, or that has more requests in flight than the node will hold, is not read until
    /// it catches up; its requests wait in the socket (and its writes block), not in this
    /// process's memory.
    private func updateReading(context: ChannelHandlerContext) {
        let within = context.channel.isWritable && nextSequence - nextToWrite <= Self.maxOutstanding
            && heldReplyBytes <= Self.maxHeldReplyBytes && preparing <= Self.maxPreparing
        guard within != reading else { return }
        reading = within
        context.channel.setOption(ChannelOptions.autoRead, value: within).whenFailure { _ in }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        updateReading(context: context)
        context.fireChannelWritabilityChanged()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        removed = true
        waiting.removeAll()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.notice("client connection closed after an error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}
