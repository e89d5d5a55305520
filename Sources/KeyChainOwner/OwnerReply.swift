/// Where the owner sends one answer to a message: typed, carried in the `OwnerMessage`, and
/// sent once. It only hands the value over: what the asker does with it runs on the asker's
/// executor (a resumed task, or the connection's event loop the API server hops to), never on
/// the owner's queue, so no work of a client's can hold up the owner.
struct OwnerReply<Value: Sendable>: Sendable {
    private let handOver: @Sendable (Value) -> Void

    /// Resumes `continuation` with the answer.
    init(_ continuation: CheckedContinuation<Value, Never>) {
        handOver = { continuation.resume(returning: $0) }
    }

    /// Hands the answer to `handOver`, which must only pass it on (enqueue it elsewhere): the
    /// callers of `Node`'s completion-handler methods promise as much.
    init(handingOverTo handOver: @escaping @Sendable (Value) -> Void) {
        self.handOver = handOver
    }

    /// Sends the answer.
    func send(_ value: Value) { handOver(value) }
}

extension OwnerReply where Value == Void {
    /// Says the message was handled.
    func send() { handOver(()) }

    /// A reply nobody waits for.
    static var ignored: OwnerReply<Void> { OwnerReply(handingOverTo: { _ in }) }
}
