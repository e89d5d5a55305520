/// The owner's pending timers, earliest deadline first: a binary heap with each timer's
/// position kept, so that a settled wait's timer is removed at once rather than left to fire
/// an hour later.
struct DeadlineHeap {
    private var entries: [(deadline: UInt64, timer: OwnerTimer)] = []
    private var positions: [OwnerTimer: Int] = [:]

    /// Timers set.
    var count: Int { entries.count }
    /// The earliest deadline, if any timer is set.
    var earliest: UInt64? { entries.first?.deadline }

    /// Sets `timer` to fire at `deadline`, moving it if it was set.
    mutating func set(_ timer: OwnerTimer, at deadline: UInt64) {
        if let index = positions[timer] {
            let earlier = deadline < entries[index].deadline
            entries[index].deadline = deadline
            if earlier { siftUp(index) } else { siftDown(index) }
        } else {
            entries.append((deadline, timer))
            positions[timer] = entries.count - 1
            siftUp(entries.count - 1)
        }
    }

    /// Whether `timer` is set.
    func contains(_ timer: OwnerTimer) -> Bool { positions[timer] != nil }

    /// Unsets `timer`, if it was set.
    mutating func cancel(_ timer: OwnerTimer) {
        guard let index = positions.removeValue(forKey: timer) else { return }
        let last = entries.removeLast()
        guard index < entries.count else { return }
        entries[index] = last
        positions[last.timer] = index
        siftUp(index)
        siftDown(positions[last.timer] ?? index)
    }

    /// Unsets and returns the timers due at `now`, earliest first.
    mutating func popDue(at now: UInt64) -> [OwnerTimer] {
        var due: [OwnerTimer] = []
        while let first = entries.first, first.deadline <= now {
            due.append(first.timer)
            cancel(first.timer)
        }
        return due
    }

    /// Unsets every timer.
    mutating func removeAll() {
        entries = []
        positions = [:]
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].deadline < entries[parent].deadline else { return }
            swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < entries.count && entries[left].deadline < entries[smallest].deadline { smallest = left }
            if right < entries.count && entries[right].deadline < entries[smallest].deadline { smallest = right }
            guard smallest != parent else { return }
            swapAt(parent, smallest)
            parent = smallest
        }
    }

    private mutating func swapAt(_ a: Int, _ b: Int) {
        entries.swapAt(a, b)
        positions[entries[a].timer] = a
        positions[entries[b].timer] = b
    }
}
