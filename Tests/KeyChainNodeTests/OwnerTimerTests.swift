import Foundation
import KeyChainAPI
import KeyChainChain
import KeyChainCore
import KeyChainStore
import KeyChainTestSupport
import NIOConcurrencyHelpers
import Testing

@testable import KeyChainOwner

/// The owner's timers: a deadline heap, and the real owner driven on a manual clock with no
/// wakeup, so each timer fires exactly when the test moves the clock past it.
@Suite struct OwnerTimerTests {
    /// Timers set, moved and cancelled come out earliest first, each once.
    @Test(arguments: [
        ([("set", OwnerTimer.tick, UInt64(100)), ("set", .refreshTemplate, 50), ("set", .waitExpires(1), 75)], UInt64(1_000),
         [OwnerTimer.refreshTemplate, .waitExpires(1), .tick]),
        ([("set", .tick, 100), ("set", .waitExpires(1), 75), ("set", .tick, 10)], 1_000, [.tick, .waitExpires(1)]),
        ([("set", .tick, 100), ("set", .waitExpires(1), 75), ("cancel", .waitExpires(1), 0)], 1_000, [.tick]),
        ([("set", .tick, 100), ("set", .waitExpires(1), 75), ("set", .waitExpires(2), 200)], 150, [.waitExpires(1), .tick]),
        ([("set", .waitExpires(1), 10), ("set", .waitExpires(2), 20), ("set", .waitExpires(3), 30), ("cancel", .waitExpires(1), 0),
          ("set", .waitExpires(3), 5)], 1_000, [.waitExpires(3), .waitExpires(2)]),
    ] as [([(String, OwnerTimer, UInt64)], UInt64, [OwnerTimer])])
    func theHeapGivesDueTimersEarliestFirst(steps: [(String, OwnerTimer, UInt64)], now: UInt64, due: [OwnerTimer]) {
        var heap = DeadlineHeap<OwnerTimer>()
        for (action, timer, deadline) in steps {
            if action == "set" { heap.set(timer, at: deadline) } else { heap.cancel(timer) }
        }
        #expect(heap.popDue(at: now) == due)
        #expect(heap.popDue(at: now).isEmpty)
    }

    /// Many timers in random order come out sorted, and cancelling half leaves the other half.
    @Test func theHeapStaysOrderedUnderChurn() {
        var generator = SystemRandomNumberGenerator()
        var heap = DeadlineHeap<OwnerTimer>()
        var deadlines: [UInt64: UInt64] = [:]
        for id in UInt64(0)..<2_000 {
            let deadline = UInt64.random(in: 0..<10_000, using: &generator)
            deadlines[id] = deadline
            heap.set(.waitExpires(id), at: deadline)
        }
        for id in UInt64(0)..<2_000 where id % 2 == 0 {
            heap.cancel(.waitExpires(id))
            deadlines[id] = nil
        }
        let due = heap.popDue(at: .max)
        #expect(due.count == 1_000)
        let times = due.compactMap { timer -> UInt64? in if case let .waitExpires(id) = timer { deadlines[id] } else { nil } }
        #expect(times == times.sorted())
        #expect(heap.count == 0)
    }

    /// A node that does not mine, on a manual clock, with no wakeup: nothing fires by itself.
    static func node(_ directory: TemporaryDirectory, clock: ManualClock) throws -> Node {
        let parameters = try TestNetwork.parameters(difficultyBits: 4)
        let node = try Node(parameters: parameters, storage: MemoryBlockStore(), wallet: try TestNetwork.identity(9),
                            configuration: NodeConfiguration(dataDirectory: directory.path, mine: false),
                            clock: clock.function, timerClock: clock.function)
        node.onOwner { $0.wakeup = nil }
        return node
    }

    /// A client's wait expires when the clock passes its timeout and not a millisecond before;
    /// a wait that is answered takes its timer with it; after shutdown no timer is left.
    @Test func aWaitExpiresOnTheClockAndASettledOneLeavesNoTimer() async throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let node = try Self.node(directory, clock: clock)
        let put = try TestNetwork.put("timer/k", "v", by: try TestNetwork.identity(2))
        _ = await node.submit(put)
        let answer = NIOLockedValueBox<Result<[TransactionStatus], NodeRequestError>?>(nil)
        node.wait(for: [put.id], depth: 1, timeout: .seconds(5), all: false) { result in answer.withLockedValue { $0 = result } }
        await node.settle()
        #expect(node.onOwner { $0.timers.count } == 1)

        clock.advance(by: 4_999)
        node.onOwner { $0.fireDueTimers() }
        #expect(answer.withLockedValue { $0 == nil }, "expired early")
        clock.advance(by: 1)
        node.onOwner { $0.fireDueTimers() }
        guard case .failure(.timedOut)? = answer.withLockedValue({ $0 }) else {
            Issue.record("the wait did not time out: \(String(describing: answer.withLockedValue { $0 }))")
            return
        }
        #expect(node.onOwner { $0.timers.count } == 0)

        // A wait on a txid the node has never seen is answered at once and sets no timer.
        let unknown = NIOLockedValueBox<Result<[TransactionStatus], NodeRequestError>?>(nil)
        node.wait(for: [Hash256(sha256d: [7])], depth: 1, timeout: .seconds(3_600), all: false) { result in unknown.withLockedValue { $0 = result } }
        await node.settle()
        #expect(unknown.withLockedValue { $0 != nil })
        #expect(node.onOwner { $0.timers.count } == 0)

        // Started, the node ticks every 100 ms of its clock; after shutdown nothing is set.
        node.start()
        await node.settle()
        #expect(node.onOwner { $0.timers.contains(.tick) })
        await node.shutdown()
        #expect(node.onOwner { $0.timers.count } == 0)
    }
}
