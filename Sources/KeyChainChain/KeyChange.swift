import KeyChainCore

/// A key's versions as far as the key index on disk does not hold them yet: the versions
/// below `stable` are the database's, the `tail` from there on is in memory. Without a
/// database `stable` is 0 and the tail is the key's whole history.
struct KeyChange: Sendable {
    /// Versions numbered below this are read from the database.
    var stable: Int
    /// The author of the key's first version, while it has one.
    var owner: PublicKey?
    /// The versions from `stable` on, oldest first.
    var tail: [KeyVersion]
    /// The chain update that last changed the key: once the database holds that update, the
    /// change can go.
    var sequence: UInt64

    /// How many versions the key has.
    var count: Int { stable + tail.count }
}
