import KeyChainCore

/// A key as the index on disk holds it: its row, how many versions it has and who owns it.
public struct KeyRecord: Equatable, Sendable {
    /// The key's row, which its versions refer to.
    public let id: Int64
    /// How many versions the key has (its next version's number).
    public let versions: Int
    /// The author of its first version.
    public let owner: PublicKey
}
