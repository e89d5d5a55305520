// KeyChainWire: the peer-to-peer messages and their framing, pure (no sockets).
//
// - `Frame`: `magic 4 | command 12 | length u32 | checksum 4 | payload`, the payload at most
//   4,000,000 bytes; the magic is the first 4 bytes of the genesis hash, so peers of another
//   network are refused at the first frame. `FrameDecoder` cuts frames from a byte stream.
// - One file per message (`VersionMessage`, `PingMessage`, `HeadersMessage`, ...), each with
//   its command, a maximum payload and a decoder that checks every count before allocating.
// - `Message`: the closed set of messages, encoded and decoded by command.
// - `BootstrapFrame`: the one exchange before a network is known (magic 0, `getnetwork` and
//   its `network` answer), by which a node given only a peer learns the genesis parameters.
// - `WireError`: why a frame was refused; the protocol layer closes and bans on any of them.
