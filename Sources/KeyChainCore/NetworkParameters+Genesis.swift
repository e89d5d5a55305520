extension NetworkParameters {
    /// `format u8 | name length u8 | name | difficulty bits u8 | block interval ms u32 |
    ///  max block size u32 | max value length u32 | created at u64`, then for format 2 (a
    ///  retargeting network) `half-life intervals u32`. A fixed network keeps format 1, so the
    ///  networks made before retargeting keep their genesis hashes.
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 96)
        writer.write(UInt8(retargeting == .fixed ? 1 : 2))
        writer.write(UInt8(truncatingIfNeeded: name.utf8.count))
        writer.write(bytes: name.utf8)
        writer.write(UInt8(truncatingIfNeeded: difficultyBits))
        writer.write(blockIntervalMilliseconds)
        writer.write(UInt32(truncatingIfNeeded: maxBlockSize))
        writer.write(UInt32(truncatingIfNeeded: maxValueLength))
        writer.write(createdAt)
        if case let .asert(halfLife) = retargeting { writer.write(halfLife) }
        return writer.bytes
    }

    /// Decodes parameters and checks them.
    public init(decoding bytes: [UInt8]) throws(DecodingError) {
        var reader = ByteReader(bytes)
        let format = try reader.readUInt8("parameters format")
        guard format == 1 || format == 2 else { throw .invalidValue(field: "parameters format", reason: "version \(format) is not known") }
        let nameLength = Int(try reader.readUInt8("name length"))
        guard let name = String(validating: try reader.readBytes(nameLength, maximum: 64, "name"), as: UTF8.self) else {
            throw .invalidValue(field: "name", reason: "not valid UTF-8")
        }
        let bits = Int(try reader.readUInt8("difficulty bits"))
        let interval = try reader.readUInt32("block interval")
        let maxBlock = Int(try reader.readUInt32("max block size"))
        let maxValue = Int(try reader.readUInt32("max value length"))
        let created = try reader.readUInt64("created at")
        let retargeting: Retargeting = format == 2 ? .asert(halfLifeIntervals: try reader.readUInt32("half-life")) : .fixed
        try reader.expectEnd()
        do {
            try self.init(name: name, difficultyBits: bits, blockIntervalMilliseconds: interval,
                          maxBlockSize: maxBlock, maxValueLength: maxValue, createdAt: created, retargeting: retargeting)
        } catch {
            throw .invalidValue(field: "network parameters", reason: error.description)
        }
    }

    /// The genesis block: no transactions, no proof of work, the parameters' hash as merkle
    /// root, the genesis target.
    public var genesisBlock: Block {
        let header = BlockHeader(
            previous: .zero, merkleRoot: Hash256(sha256d: encoded),
            timestamp: createdAt, target: target.compact, nonce: 0
        )
        return Block(header: header, transactions: [])
    }

    /// The network's id.
    public var genesisHash: Hash256 { genesisBlock.hash }
}
