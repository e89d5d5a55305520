import KeyChainCore

/// Asks for headers after the first locator hash the peer knows:
/// `count u16 (<= 101) | locator hashes | stop hash 32 (zero: as many as allowed)`.
public struct GetHeadersMessage: WireMessage {
    public static let command = "getheaders"
    /// A locator holds at most this many hashes.
    public static let maxLocatorHashes = 101
    public static let maxPayloadLength = 2 + 32 * maxLocatorHashes + 32

    /// Hashes of the sender's best chain, tip first, spaced ever wider back to genesis.
    public var locator: [Hash256]
    /// The last header wanted (zero: as many as a message holds).
    public var stop: Hash256

    public init(locator: [Hash256], stop: Hash256 = .zero) {
        self.locator = locator
        self.stop = stop
    }

    public func encode(to writer: inout ByteWriter) {
        writer.writeCount(locator.count)
        for hash in locator { writer.write(hash) }
        writer.write(stop)
    }

    public init(from reader: inout ByteReader) throws(DecodingError) {
        let count = try reader.readCount("locator count", maximum: Self.maxLocatorHashes, itemSize: 32)
        var hashes: [Hash256] = []
        hashes.reserveCapacity(count)
        for _ in 0..<count { hashes.append(try reader.readHash("locator hash")) }
        locator = hashes
        stop = try reader.readHash("stop hash")
    }
}
