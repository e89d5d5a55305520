import CKeyChainNative

extension Transaction {
    /// Whether each transaction's signature is valid: for each, the answer of
    /// `hasValidSignature`, checked as one batch (`kc_ed25519_verify_batch`) that shares the
    /// last step of every check, an inversion, and makes each about a fifth cheaper. Keys with
    /// precomputed tables use them; any other key is checked without. Same rule, same answers.
    public static func validSignatures(_ transactions: some Collection<Transaction>) -> [Bool] {
        validSignatures(transactions, tablesFrom: .shared)
    }

    /// `validSignatures(_:)` with the tables of a given cache, or none at all (nil): tests name
    /// the path they take.
    static func validSignatures(_ transactions: some Collection<Transaction>, tablesFrom cache: PrecomputedKeys?) -> [Bool] {
        let total = transactions.count
        var results = [Bool](repeating: false, count: total)
        var tables: [PrecomputedKeys.Table] = []  // alive until the batch is checked
        var keys: [OpaquePointer?] = []
        var slots: [Int] = []
        var publicKeys = [UInt8](repeating: 0, count: 32 * total)
        var signatures = [UInt8](repeating: 0, count: 64 * total)
        var challenges = [UInt8](repeating: 0, count: 32 * total)
        for (index, transaction) in transactions.enumerated() {
            let table = cache?.table(for: transaction.author.raw)
            if let table, table.key == nil { continue }  // a key the rule refuses
            let slot = slots.count
            publicKeys.withUnsafeMutableBytes { bytes in
                guard let base = bytes.baseAddress else { return }
                transaction.author.raw.write(to: base + 32 * slot)
            }
            signatures.withUnsafeMutableBytes { bytes in
                guard let base = bytes.baseAddress else { return }
                transaction.signature.r.write(to: base + 64 * slot)
                transaction.signature.s.write(to: base + 64 * slot + 32)
            }
            var txid = (transaction.id.raw.w0.bigEndian, transaction.id.raw.w1.bigEndian,
                        transaction.id.raw.w2.bigEndian, transaction.id.raw.w3.bigEndian)
            withUnsafeBytes(of: &txid) { message in
                publicKeys.withUnsafeBufferPointer { keyBytes in
                    signatures.withUnsafeBufferPointer { signatureBytes in
                        challenges.withUnsafeMutableBufferPointer { out in
                            guard let key = keyBytes.baseAddress, let signature = signatureBytes.baseAddress,
                                  let h = out.baseAddress else { return }
                            PrecomputedKeys.challenge(into: h + 32 * slot, r: signature + 64 * slot, key: key + 32 * slot, message: message)
                        }
                    }
                }
            }
            if let table { tables.append(table) }
            keys.append(table?.key)
            slots.append(index)
        }
        guard !slots.isEmpty else { return results }
        var valid = [UInt8](repeating: 0, count: slots.count)
        keys.withUnsafeBufferPointer { keyPointers in
            publicKeys.withUnsafeBufferPointer { keyBytes in
                signatures.withUnsafeBufferPointer { signatureBytes in
                    challenges.withUnsafeBufferPointer { challengeBytes in
                        valid.withUnsafeMutableBufferPointer { out in
                            kc_ed25519_verify_batch(keyPointers.baseAddress, keyBytes.baseAddress, signatureBytes.baseAddress,
                                                    challengeBytes.baseAddress, slots.count, out.baseAddress)
                        }
                    }
                }
            }
        }
        for (position, index) in slots.enumerated() { results[index] = valid[position] == 1 }
        withExtendedLifetime(tables) {}
        return results
    }
}
