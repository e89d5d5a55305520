extension Transaction {
    /// The canonical encoding:
    /// `format u8 | key length u8 | key | value length u32 | value | author 32 | nonce u64 |
    ///  has expected version u8 (0 or 1) | [expected version u64] | signature 64`.
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: encodedSize)
        encode(to: &writer)
        return writer.bytes
    }

    /// Appends the canonical encoding.
    public func encode(to writer: inout ByteWriter) {
        writer.write(bytes: Self.unsignedBytes(key: key, value: value, author: author, nonce: nonce, expectedVersion: expectedVersion))
        writer.write(signature.r)
        writer.write(signature.s)
    }

    /// The encoding without the signature: what the txid hashes.
    public var unsignedEncoding: [UInt8] {
        Self.unsignedBytes(key: key, value: value, author: author, nonce: nonce, expectedVersion: expectedVersion)
    }

    static func unsignedBytes(key: String, value: [UInt8], author: PublicKey, nonce: UInt64, expectedVersion: UInt64?) -> [UInt8] {
        let keyBytes = key.utf8
        var writer = ByteWriter(capacity: 1 + 1 + keyBytes.count + 4 + value.count + 32 + 8 + 9)
        writer.write(formatVersion)
        writer.write(UInt8(truncatingIfNeeded: keyBytes.count))
        writer.write(bytes: keyBytes)
        writer.write(UInt32(truncatingIfNeeded: value.count))
        writer.write(bytes: value)
        writer.write(author.raw)
        writer.write(nonce)
        if let expectedVersion {
            writer.write(UInt8(1))
            writer.write(expectedVersion)
        } else {
            writer.write(UInt8(0))
        }
        return writer.bytes
    }

    /// Decodes exactly one transaction from `bytes`.
    public init(decoding bytes: [UInt8]) throws(DecodingError) {
        var reader = ByteReader(bytes)
        try self.init(from: &reader)
        try reader.expectEnd()
    }

    /// Decodes one transaction from the reader's position.
    public init(from reader: inout ByteReader) throws(DecodingError) {
        let format = try reader.readUInt8("transaction format")
        guard format == Self.formatVersion else {
            throw .invalidValue(field: "transaction format", reason: "version \(format) is not known (expected \(Self.formatVersion))")
        }
        let keyLength = Int(try reader.readUInt8("key length"))
        guard keyLength > 0 else { throw .invalidValue(field: "key", reason: "a key is at least 1 byte") }
        let keyBytes = try reader.readBytes(keyLength, maximum: Self.maxKeyLength, "key")
        guard let key = String(validating: keyBytes, as: UTF8.self) else {
            throw .invalidValue(field: "key", reason: "not valid UTF-8")
        }
        let valueLength = Int(try reader.readUInt32("value length"))
        let value = try reader.readBytes(valueLength, maximum: Self.maxValueLengthCap, "value")
        let author = PublicKey(raw: try reader.readBytes32("author"))
        let nonce = try reader.readUInt64("nonce")
        let expectedVersion: UInt64?
        switch try reader.readUInt8("expected version flag") {
        case 0: expectedVersion = nil
        case 1: expectedVersion = try reader.readUInt64("expected version")
        case let flag: throw .invalidValue(field: "expected version flag", reason: "\(flag) is neither 0 nor 1")
        }
        let signature = Signature(r: try reader.readBytes32("signature"), s: try reader.readBytes32("signature"))
        try self.init(key: key, value: value, author: author, nonce: nonce, expectedVersion: expectedVersion, signature: signature)
    }
}
