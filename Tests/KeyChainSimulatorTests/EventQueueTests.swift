import KeyChainP2P
@testable import KeyChainSimulator
import Testing

/// The queue must hand events out in (time, order added), whatever mix of near events (the
/// bucket ring), far ones (the heap) and peeks ahead it sees: a simulation replays from that.
@Suite struct EventQueueTests {
    @Test(arguments: [1, 2, 3] as [UInt64]) func ordersLikeASortedList(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        var queue = EventQueue<Int>()
        var reference: [(time: UInt64, id: Int)] = []
        var now: UInt64 = 1_767_225_600_000
        var popped: [Int] = [], expected: [Int] = []
        for id in 0..<20_000 {
            switch random.next() % 10 {
            case 0...5:
                // Mostly near, sometimes beyond the 4,096 ms ring, sometimes at `now` exactly.
                let delay = random.next() % 10 == 0 ? random.next() % 50_000 : random.next() % 300
                queue.push(id, at: now + delay)
                reference.append((now + delay, id))
            case 6:
                // Look ahead (as run(until:) does), then add something before what it saw.
                if let next = queue.nextTime(), next > now {
                    let time = now + random.next() % (next - now)
                    queue.push(id, at: time)
                    reference.append((time, id))
                }
            default:
                guard let event = queue.pop() else { continue }
                #expect(event.time >= now)
                now = event.time
                popped.append(event.payload)
                let index = reference.indices.min { (reference[$0].time, reference[$0].id) < (reference[$1].time, reference[$1].id) }!
                expected.append(reference.remove(at: index).id)
            }
        }
        while let event = queue.pop() { popped.append(event.payload) }
        expected += reference.sorted { ($0.time, $0.id) < ($1.time, $1.id) }.map(\.id)
        #expect(popped == expected)
        #expect(queue.isEmpty)
    }
}
