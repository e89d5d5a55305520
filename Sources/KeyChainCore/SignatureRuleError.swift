/// Why this binary's signature verifier cannot be trusted to agree with the network.
public enum SignatureRuleError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A pinned vector got the other answer on one verification path.
    case disagreement(vector: String, path: String, expected: Bool)

    public var description: String {
        switch self {
        case let .disagreement(vector, path, expected):
            "the signature verifier \(expected ? "refuses" : "accepts") pinned vector \"\(vector)\" \(path), against the rule "
                + "of docs/PROTOCOL.md §2: this build would disagree with its peers; rebuild from a clean checkout and report it"
        }
    }
}
