import KeyChainCore

/// Addresses of peers, so nodes learn of each other beyond the tracker: `count u16 (<= 1,000) | addresses`.
public struct AddrMessage: WireMessage {
    public static let command = "addr"
    public static let maxAddresses = 1_000
    public static let maxPayloadLength = 2 + NetworkAddress.encodedSize * maxAddresses
    /// The addresses, at most 1,000.
    public var addresses: [NetworkAddress]

    public init(_ addresses: [NetworkAddress]) { self.addresses = addresses }

    public func encode(to writer: inout ByteWriter) {
        writer.writeCount(addresses.count)
        for address in addresses { address.encode(to: &writer) }
    }

    public init(from reader: inout ByteReader) throws(DecodingError) {
        let count = try reader.readCount("address count", maximum: Self.maxAddresses, itemSize: NetworkAddress.encodedSize)
        var list: [NetworkAddress] = []
        list.reserveCapacity(count)
        for _ in 0..<count { list.append(try NetworkAddress(from: &reader)) }
        addresses = list
    }
}
