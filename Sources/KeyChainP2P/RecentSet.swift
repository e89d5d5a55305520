/// A set that remembers at least the last `capacity` items inserted and at most twice that:
/// two generations, the older dropped whole when the newer fills. What a peer is known to have
/// must not grow with every put the network ever saw; forgetting an old item costs at most one
/// repeated announcement, which the peer ignores.
struct RecentSet<Element: Hashable> {
    private var current: Set<Element> = []
    private var previous: Set<Element> = []
    let capacity: Int

    init(capacity: Int) { self.capacity = max(capacity, 1) }

    func contains(_ element: Element) -> Bool { current.contains(element) || previous.contains(element) }

    /// Adds `element`; returns whether it was new.
    @discardableResult
    mutating func insert(_ element: Element) -> Bool {
        guard current.insert(element).inserted else { return false }
        let new = !previous.contains(element)
        if current.count >= capacity {
            previous = current
            current = Set(minimumCapacity: capacity)
        }
        return new
    }

    mutating func formUnion(_ elements: some Sequence<Element>) {
        for element in elements { insert(element) }
    }
}
