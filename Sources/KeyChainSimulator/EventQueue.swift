/// Timed events in order of (time, sequence): ties leave in the order they were added, so a
/// run is a pure function of its seed.
///
/// Most events land within a few hundred ms of now (deliveries, ticks), so those go into a
/// ring of one-millisecond buckets covering the next 4,096 ms, appended and taken in O(1);
/// later ones (mining, long timers) go into a min-heap. `pop` takes the smaller of the two
/// fronts. Payloads stay put in slots; buckets and heap move only small entries.
struct EventQueue<Payload> {
    private struct Entry {
        var time: UInt64
        var sequence: UInt64
        var slot: Int
    }

    private static var width: UInt64 { 4_096 }

    private var heap: [Entry] = []
    /// buckets[t % width] holds the events at time t, for t in [base, base + width).
    private var buckets: [[Entry]] = Array(repeating: [], count: Int(width))
    private var heads = [Int](repeating: 0, count: Int(width))
    private var inBuckets = 0
    /// No event in the buckets is earlier than this.
    private var base: UInt64 = 0
    private var payloads: [Payload?] = []
    private var freeSlots: [Int] = []
    private var nextSequence: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty && inBuckets == 0 }
    var count: Int { heap.count + inBuckets }

    mutating func push(_ payload: Payload, at time: UInt64) {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            payloads[slot] = payload
        } else {
            slot = payloads.count
            payloads.append(payload)
        }
        let entry = Entry(time: time, sequence: nextSequence, slot: slot)
        nextSequence += 1
        // An event before `base` (possible only right after `nextTime` looked ahead) or beyond
        // the ring goes to the heap; `pop` compares both fronts, so order holds either way.
        if time >= base && time - base < Self.width {
            buckets[Int(time % Self.width)].append(entry)
            inBuckets += 1
        } else {
            pushHeap(entry)
        }
    }

    /// The time of the next event, if any.
    mutating func nextTime() -> UInt64? {
        switch (firstBucket(), heap.first) {
        case let (bucket?, top?): min(bucket.time, top.time)
        case let (bucket?, nil): bucket.time
        case let (nil, top?): top.time
        case (nil, nil): nil
        }
    }

    mutating func pop() -> (time: UInt64, payload: Payload)? {
        let entry: Entry
        if let bucket = firstBucket(), heap.first.map({ Self.before(bucket, $0) }) ?? true {
            let index = Int(bucket.time % Self.width)
            heads[index] += 1
            inBuckets -= 1
            if heads[index] == buckets[index].count {
                buckets[index].removeAll(keepingCapacity: true)
                heads[index] = 0
            }
            entry = bucket
        } else if let top = popHeap() {
            entry = top
            // Nothing in the buckets is earlier (the heap's front was the smaller).
            if top.time > base && inBuckets == 0 { base = top.time }
        } else {
            return nil
        }
        // Moved out, not copied: no retain and release of what the payload holds.
        guard let payload = payloads[entry.slot].take() else { return nil }
        freeSlots.append(entry.slot)
        return (entry.time, payload)
    }

    /// The earliest bucketed event, moving `base` over empty buckets.
    private mutating func firstBucket() -> Entry? {
        guard inBuckets > 0 else { return nil }
        while true {
            let index = Int(base % Self.width)
            if heads[index] < buckets[index].count { return buckets[index][heads[index]] }
            base += 1
        }
    }

    private mutating func pushHeap(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popHeap() -> Entry? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count && Self.before(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count && Self.before(heap[right], heap[smallest]) { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }

    private static func before(_ a: Entry, _ b: Entry) -> Bool {
        a.time < b.time || (a.time == b.time && a.sequence < b.sequence)
    }
}
