/// Keys in UTF-8 byte order, kept as a list of short sorted chunks so that a copy (a published
/// snapshot) costs one reference per chunk, and a change after a copy duplicates only the
/// chunks it touches: never the whole list.
struct SortedKeyList: Sendable {
    /// A chunk splits in two past this many keys.
    static let maxChunk = 512

    private var chunks: [[KeyBytes]] = []
    /// How many keys are in the list.
    private(set) var count = 0

    /// Adds `key` if it is not there yet.
    mutating func insert(_ key: KeyBytes) {
        guard !chunks.isEmpty else {
            chunks = [[key]]
            count = 1
            return
        }
        let chunk = chunkIndex(for: key)
        let position = Self.lowerBound(key, in: chunks[chunk])
        if position < chunks[chunk].count && chunks[chunk][position] == key { return }
        chunks[chunk].insert(key, at: position)
        count += 1
        if chunks[chunk].count > Self.maxChunk {
            let upper = Array(chunks[chunk][(Self.maxChunk / 2)...])
            chunks[chunk].removeSubrange((Self.maxChunk / 2)...)
            chunks.insert(upper, at: chunk + 1)
        }
    }

    /// Removes `key` if it is there.
    mutating func remove(_ key: KeyBytes) {
        guard !chunks.isEmpty else { return }
        let chunk = chunkIndex(for: key)
        let position = Self.lowerBound(key, in: chunks[chunk])
        guard position < chunks[chunk].count && chunks[chunk][position] == key else { return }
        chunks[chunk].remove(at: position)
        count -= 1
        if chunks[chunk].isEmpty { chunks.remove(at: chunk) }
    }

    /// Up to `limit` keys that start with `prefix`, from the first key not before `start`
    /// (strictly after it when `exclusive`).
    func keys(from start: KeyBytes, exclusive: Bool, prefix: KeyBytes, limit: Int) -> [String] {
        guard !chunks.isEmpty, limit > 0 else { return [] }
        var chunk = chunkIndex(for: start)
        var position = Self.lowerBound(start, in: chunks[chunk])
        var out: [String] = []
        while chunk < chunks.count && out.count < limit {
            let keys = chunks[chunk]
            while position < keys.count && out.count < limit {
                let key = keys[position]
                position += 1
                if exclusive && key == start { continue }
                // Keys with a prefix are contiguous, and `start` is not before the prefix.
                guard key.hasPrefix(prefix) else { return out }
                out.append(key.string)
            }
            chunk += 1
            position = 0
        }
        return out
    }

    /// The chunk `key` belongs in: the last whose first key does not come after it.
    private func chunkIndex(for key: KeyBytes) -> Int {
        var low = 0, high = chunks.count
        while low < high {
            let mid = (low + high) / 2
            if key.precedes(chunks[mid][0]) { high = mid } else { low = mid + 1 }
        }
        return max(low - 1, 0)
    }

    private static func lowerBound(_ key: KeyBytes, in keys: [KeyBytes]) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid].precedes(key) { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
