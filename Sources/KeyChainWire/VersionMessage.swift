import KeyChainCore

/// The first message each side sends: who it is and which network it follows.
/// `protocol version u32 | genesis hash 32 | best height u32 | listen port u16 | node id u64 |
///  timestamp (ms) u64`.
public struct VersionMessage: WireMessage {
    public static let command = "version"
    public static let maxPayloadLength = 58
    /// The protocol version this code speaks.
    public static let currentProtocolVersion: UInt32 = 1

    /// The protocol version the sender speaks.
    public var protocolVersion: UInt32
    /// The hash of the genesis block of the network the sender follows.
    public var genesis: Hash256
    /// The height of the sender's best chain.
    public var bestHeight: UInt32
    /// The port the sender accepts connections on (0: none).
    public var listenPort: UInt16
    /// Random per process: detects connections to oneself and duplicate peers.
    public var nodeID: UInt64
    /// The sender's clock, milliseconds since the Unix epoch.
    public var timestamp: UInt64

    public init(protocolVersion: UInt32 = VersionMessage.currentProtocolVersion, genesis: Hash256, bestHeight: UInt32,
                listenPort: UInt16, nodeID: UInt64, timestamp: UInt64) {
        self.protocolVersion = protocolVersion; self.genesis = genesis; self.bestHeight = bestHeight
        self.listenPort = listenPort; self.nodeID = nodeID; self.timestamp = timestamp
    }

    public func encode(to writer: inout ByteWriter) {
        writer.write(protocolVersion)
        writer.write(genesis)
        writer.write(bestHeight)
        writer.write(listenPort)
        writer.write(nodeID)
        writer.write(timestamp)
    }

    public init(from reader: inout ByteReader) throws(DecodingError) {
        protocolVersion = try reader.readUInt32("protocol version")
        genesis = try reader.readHash("genesis")
        bestHeight = try reader.readUInt32("best height")
        listenPort = try reader.readUInt16("listen port")
        nodeID = try reader.readUInt64("node id")
        timestamp = try reader.readUInt64("timestamp")
    }
}
