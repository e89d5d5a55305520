import KeyChainCore

/// A peer's address: `IPv6 or IPv4-mapped address 16 | port u16 (big-endian) | last seen (ms) u64`.
public struct NetworkAddress: Hashable, Sendable {
    public static let encodedSize = 26
    /// 16 bytes; IPv4 as ::ffff:a.b.c.d.
    public var address: [UInt8]
    /// The TCP port.
    public var port: UInt16
    /// When the address was last heard from, milliseconds since the Unix epoch.
    public var lastSeen: UInt64

    /// An IPv4 address.
    public init(ipv4 a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, port: UInt16, lastSeen: UInt64) {
        address = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, a, b, c, d]
        self.port = port
        self.lastSeen = lastSeen
    }

    /// Any 16-byte address.
    public init(bytes: [UInt8], port: UInt16, lastSeen: UInt64) {
        precondition(bytes.count == 16, "a network address is 16 bytes")
        address = bytes
        self.port = port
        self.lastSeen = lastSeen
    }

    init(from reader: inout ByteReader) throws(DecodingError) {
        address = try reader.readBytes(16, maximum: 16, "address")
        let high = UInt16(try reader.readUInt8("port"))
        port = high << 8 | UInt16(try reader.readUInt8("port"))
        lastSeen = try reader.readUInt64("last seen")
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(bytes: address)
        writer.write(UInt8(port >> 8))
        writer.write(UInt8(port & 0xFF))
        writer.write(lastSeen)
    }

    /// The address in text, "a.b.c.d" for IPv4-mapped ones.
    public var host: String {
        if address.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] {
            return address.suffix(4).map(String.init).joined(separator: ".")
        }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(address[$0]) << 8 | UInt16(address[$0 + 1]), radix: 16) }.joined(separator: ":")
    }
}
