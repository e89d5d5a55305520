extension BlockHeader {
    /// `version u32 | previous 32 | merkle root 32 | timestamp u64 | target u32 | nonce u64`,
    /// integers little-endian. The nonce is last so miners hash the first 64 bytes once.
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: Self.size)
        encode(to: &writer)
        return writer.bytes
    }

    /// Appends the 88 header bytes.
    public func encode(to writer: inout ByteWriter) {
        writer.write(version)
        writer.write(previous)
        writer.write(merkleRoot)
        writer.write(timestamp)
        writer.write(target)
        writer.write(nonce)
    }

    /// Decodes exactly one header.
    public init(decoding bytes: [UInt8]) throws(DecodingError) {
        var reader = ByteReader(bytes)
        try self.init(from: &reader)
        try reader.expectEnd()
    }

    /// Decodes a header from the reader's position.
    public init(from reader: inout ByteReader) throws(DecodingError) {
        version = try reader.readUInt32("header version")
        previous = try reader.readHash("previous hash")
        merkleRoot = try reader.readHash("merkle root")
        timestamp = try reader.readUInt64("timestamp")
        target = try reader.readUInt32("target")
        nonce = try reader.readUInt64("nonce")
    }
}
