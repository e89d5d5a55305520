import KeyChainP2P
import KeyChainWire
import Testing

@Suite struct AddressBookTests {
    static let a = PeerAddress(ipv4: 10, 0, 0, 1, port: 9_333)
    static let b = PeerAddress(ipv4: 10, 0, 0, 2, port: 9_333)
    static let c = PeerAddress(ipv4: 10, 0, 0, 3, port: 9_333)

    /// The wait after each failure in a row: 1 s doubling, capped at 64 s.
    @Test(arguments: [(1, 1_000), (2, 2_000), (3, 4_000), (4, 8_000), (6, 32_000), (7, 64_000), (8, 64_000), (40, 64_000)] as [(Int, UInt64)])
    func backoffDoublesToItsCap(failures: Int, wait: UInt64) {
        var book = AddressBook(seed: 1)
        book.add(Self.a, lastSeen: 0)
        for _ in 0..<failures { book.failed(Self.a, now: 1_000_000) }
        #expect(book.entry(Self.a)?.retryAt == 1_000_000 + wait)
        let dialable1 = book.candidates(8, now: 1_000_000 + wait - 1, excluding: [])
        #expect(dialable1.isEmpty)
        let dialable2 = book.candidates(8, now: 1_000_000 + wait, excluding: [])
        #expect(dialable2 == [Self.a])
    }

    @Test func successStartsTheBackoffOverAndAClosedLinkWaitsTheBase() {
        var book = AddressBook(seed: 1)
        book.add(Self.a, lastSeen: 0)
        for _ in 0..<5 { book.failed(Self.a, now: 0) }
        book.succeeded(Self.a, now: 100_000)
        book.closed(Self.a, now: 200_000)
        #expect(book.entry(Self.a)?.retryAt == 201_000)
        book.failed(Self.a, now: 300_000)
        #expect(book.entry(Self.a)?.retryAt == 301_000)
    }

    /// A ban covers the host on every port, for the configured time, then lapses.
    @Test func banCoversTheHostUntilItEnds() {
        var policy = AddressBook.Policy()
        policy.banDuration = 60_000
        var book = AddressBook(policy: policy, seed: 1)
        book.add(Self.a, lastSeen: 0)
        book.add(Self.b, lastSeen: 0)
        book.ban(Self.a.with(port: 50_123), now: 10_000)
        #expect(book.bannedUntil(Self.a, now: 10_000) == 70_000)
        #expect(book.bannedUntil(Self.a.with(port: 1), now: 69_999) == 70_000)
        #expect(book.bannedUntil(Self.b, now: 10_000) == nil)
        let dialable3 = book.candidates(8, now: 20_000, excluding: [])
        #expect(dialable3 == [Self.b])
        #expect(book.sample(10, now: 20_000, excluding: nil).map(\.address) == [Self.b])
        #expect(book.bannedUntil(Self.a, now: 70_000) == nil)
        let dialable4 = book.candidates(8, now: 70_000, excluding: [])
        #expect(Set(dialable4) == [Self.a, Self.b])
    }

    /// Rows: what is excluded from dialling.
    @Test func candidatesSkipBusyOwnAndUnroutableAddresses() {
        var book = AddressBook(seed: 7)
        for address in [Self.a, Self.b, Self.c] { book.add(address, lastSeen: 0) }
        let added = [
            book.add(PeerAddress(ipv4: 0, 0, 0, 0, port: 9_333), lastSeen: 0),  // all-zero host
            book.add(Self.a.with(port: 0), lastSeen: 0),  // no port
            book.add(Self.a, lastSeen: 9),  // known already
        ]
        #expect(added == [false, false, false])
        book.markOwn(Self.c)
        let ownAgain = book.add(Self.c, lastSeen: 5)
        #expect(!ownAgain, "own address learned again")
        let dialable5 = book.candidates(8, now: 0, excluding: [Self.a])
        #expect(dialable5 == [Self.b])
        #expect(book.count == 2)
    }

    @Test func aFullBookStaysAtItsCapacity() {
        var policy = AddressBook.Policy()
        policy.capacity = 100
        var book = AddressBook(policy: policy, seed: 3)
        for index in 0..<1_000 { book.add(PeerAddress(ipv4: 10, 1, UInt8(index >> 8), UInt8(index & 0xFF), port: 9_333), lastSeen: UInt64(index)) }
        #expect(book.count == 100)
        // The newest address is always kept: eviction makes room before it is added.
        #expect(book.entry(PeerAddress(ipv4: 10, 1, 3, 0xE7, port: 9_333)) != nil)
    }

    @Test func sampleIsMostRecentFirstAndBounded() {
        var book = AddressBook(seed: 1)
        book.add(Self.a, lastSeen: 10)
        book.add(Self.b, lastSeen: 30)
        book.add(Self.c, lastSeen: 20)
        #expect(book.sample(2, now: 40, excluding: nil).map(\.address) == [Self.b, Self.c])
        #expect(book.sample(5, now: 40, excluding: Self.b).map(\.address) == [Self.c, Self.a])
    }

    /// Golden text and the round trip through an `addr` entry.
    @Test func addressesPrintAndTravel() {
        #expect(Self.a.description == "10.0.0.1:9333")
        #expect(PeerAddress(Self.a.networkAddress(lastSeen: 5)) == Self.a)
        let v6 = NetworkAddress(bytes: [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1], port: 80, lastSeen: 0)
        #expect(PeerAddress(v6).description == "[2001:db8:0:0:0:0:0:1]:80")
        #expect(PeerAddress(v6).networkAddress(lastSeen: 0) == v6)
    }
}
