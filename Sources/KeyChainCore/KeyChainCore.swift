// KeyChainCore: the values every other module speaks in, with no I/O.
//
// - Hashes and keys: `Hash256` (SHA-256d), `PublicKey`, `Signature`, `Identity` (Ed25519).
// - The data model: `Transaction` (a signed put), `BlockHeader`, `Block`, `MerkleTree`.
// - Signature checks by the one rule of docs/PROTOCOL.md §2, always by the project's own
//   verifier (CKeyChainNative, SHA-512 included): `PublicKey.isValidSignature`;
//   `PrecomputedKeys`, tables for the keys that sign often; `Transaction.validSignatures`, many
//   at once; `SignatureRule`, the pinned vectors every path must answer at start-up.
// - Consensus numbers: `Target` (compact proof-of-work target), `Work`, `NetworkParameters`
//   and the genesis block they define; `ASERTSchedule`, the aserti3-2d retargeting rule
//   (reproduces Bitcoin Cash's reference runs; not yet a rule any network applies).
// - One canonical binary encoding (`ByteWriter`, `ByteReader`): little-endian integers, a
//   maximum checked on every variable-length field, typed `DecodingError`s, never a trap.
//   docs/PROTOCOL.md gives the layouts with golden vectors.
// - `HostAndPort`: the `HOST:PORT` every command line takes (node, tracker), parsed one way.
