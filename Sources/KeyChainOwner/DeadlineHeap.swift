/// Keys by deadline, earliest first: a binary heap with each key's position kept, so that a key
/// is moved or removed at once. The owner's timers (a settled wait's timer goes with it rather
/// than firing an hour later) and the waits that need only depth (by the height that answers
/// them) are kept in one each.
struct DeadlineHeap<Key: Hashable> {
    private var entries: [(deadline: UInt64, key: Key)] = []
    private var positions: [Key: Int] = [:]

    /// Keys set.
    var count: Int { entries.count }
    /// The earliest deadline, if any key is set.
    var earliest: UInt64? { entries.first?.deadline }

    /// Sets `key`'s deadline, moving it if it was set.
    mutating func set(_ key: Key, at deadline: UInt64) {
        if let index = positions[key] {
            let earlier = deadline < entries[index].deadline
            entries[index].deadline = deadline
            if earlier { siftUp(index) } else { siftDown(index) }
        } else {
            entries.append((deadline, key))
            positions[key] = entries.count - 1
            siftUp(entries.count - 1)
        }
    }

    /// Whether `key` is set.
    func contains(_ key: Key) -> Bool { positions[key] != nil }

    /// Unsets `key`, if it was set.
    mutating func cancel(_ key: Key) {
        guard let index = positions.removeValue(forKey: key) else { return }
        let last = entries.removeLast()
        guard index < entries.count else { return }
        entries[index] = last
        positions[last.key] = index
        siftUp(index)
        siftDown(positions[last.key] ?? index)
    }

    /// Unsets and returns the keys due at `now`, earliest first.
    mutating func popDue(at now: UInt64) -> [Key] {
        var due: [Key] = []
        while let first = entries.first, first.deadline <= now {
            due.append(first.key)
            cancel(first.key)
        }
        return due
    }

    /// Unsets every key.
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
        positions[entries[a].key] = a
        positions[entries[b].key] = b
    }
}
