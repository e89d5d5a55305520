import CKeyChainNative

/// The one Ed25519 rule every node applies (docs/PROTOCOL.md §2), held to pinned vectors at
/// start-up: a node that answered "is this signature valid?" differently from its peers would
/// ban them and split the network, so a binary whose verifier disagrees with any vector on any
/// of its paths refuses to run.
public enum SignatureRule {
    /// Checks every pinned vector on every path the node takes: without tables, with narrow
    /// and with wide tables, and in a batch that mixes the three. Runs once a process; later
    /// calls return the first outcome.
    public static func check() throws(SignatureRuleError) {
        try outcome.get()
    }

    private static let outcome: Result<Void, SignatureRuleError> = Result { () throws(SignatureRuleError) in try check(vectors) }

    /// Each way a signature is checked, named in a disagreement.
    enum Path: String, CaseIterable, Sendable {
        case untabled = "without tables"
        case narrowTables = "narrow tables"
        case wideTables = "wide tables"
        case batch = "batch"
    }

    /// Checks `cases` on every path; throws the first disagreement. Each key's tables are
    /// built once (a wide build costs as much as 20 checks, and a debug build's node starts
    /// with this check too).
    static func check(_ cases: [Vector]) throws(SignatureRuleError) {
        let tables = KeyTables(cases)
        for vector in cases {
            let key = PublicKey(raw: vector.key)
            let answers: [(Path, Bool)] = vector.message.withUnsafeBytes { message in
                [(.untabled, key.verify(vector.signature, message, tables: nil)),
                 (.narrowTables, tables.narrow[vector.key].map { key.verify(vector.signature, message, tables: $0) } ?? !vector.valid),
                 (.wideTables, tables.wide[vector.key].map { key.verify(vector.signature, message, tables: $0) } ?? !vector.valid)]
            }
            for (path, answer) in answers where answer != vector.valid {
                throw .disagreement(vector: vector.name, path: path.rawValue, expected: vector.valid)
            }
        }
        let batch = batchAnswers(cases, tables: tables)
        for (vector, answer) in zip(cases, batch) where answer != vector.valid {
            throw .disagreement(vector: vector.name, path: Path.batch.rawValue, expected: vector.valid)
        }
    }

    /// The vectors as one batch, their keys given by turns without tables, with narrow and
    /// with wide ones.
    static func batchAnswers(_ cases: [Vector], tables built: KeyTables? = nil) -> [Bool] {
        let available = built ?? KeyTables(cases)
        var tables: [PrecomputedKeys.Table?] = []
        var publicKeys: [UInt8] = [], signatures: [UInt8] = [], challenges: [UInt8] = []
        for (index, vector) in cases.enumerated() {
            let table = index % 3 == 0 ? nil : (index % 3 == 2 ? available.wide[vector.key] : available.narrow[vector.key])
            tables.append(table?.key == nil ? nil : table)
            let key = vector.key.bytes, signature = vector.signature.bytes
            var h = [UInt8](repeating: 0, count: 32)
            vector.message.withUnsafeBufferPointer { message in
                kc_ed25519_challenge(&h, signature, key, message.baseAddress, message.count)
            }
            publicKeys += key
            signatures += signature
            challenges += h
        }
        let keys = tables.map { $0?.key }
        var results = [UInt8](repeating: 0, count: cases.count)
        keys.withUnsafeBufferPointer { keyPointers in
            kc_ed25519_verify_batch(keyPointers.baseAddress, publicKeys, signatures, challenges, cases.count, &results)
        }
        withExtendedLifetime(tables) {}
        return results.map { $0 == 1 }
    }
}
