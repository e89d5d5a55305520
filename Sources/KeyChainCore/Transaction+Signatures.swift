import CKeyChainNative

extension Transaction {
    /// Whether each transaction's signature is valid: for each, the answer of
    /// `hasValidSignature`, but the signatures by keys with precomputed tables are checked as
    /// one batch, which shares the last step of every check (`kc_ed25519_verify_batch`) and
    /// makes each about a fifth cheaper. Same rules, same answers.
    public static func validSignatures(_ transactions: some Collection<Transaction>) -> [Bool] {
        validSignatures(transactions, tablesFrom: .shared)
    }

    /// `validSignatures(_:)` with the tables of a given cache (tests use their own).
    static func validSignatures(_ transactions: some Collection<Transaction>, tablesFrom cache: PrecomputedKeys) -> [Bool] {
        let total = transactions.count
        var results = [Bool](repeating: false, count: total)
        guard PublicKey.sodiumReady else { return results }
        var tables: [PrecomputedKeys.Table] = []  // alive until the batch is checked
        var keys: [OpaquePointer?] = []
        var slots: [Int] = []
        var signatures = [UInt8](repeating: 0, count: 64 * total)
        var challenges = [UInt8](repeating: 0, count: 32 * total)
        var input = [UInt8](repeating: 0, count: 96)  // R | A | txid, hashed for the challenge
        for (index, transaction) in transactions.enumerated() {
            guard let table = cache.table(for: transaction.author.raw) else {
                results[index] = transaction.author.isValidSignatureBySodium(transaction.signature, forDigest: transaction.id)
                continue
            }
            guard let key = table.key else { continue }  // a key libsodium refuses
            let slot = slots.count
            input.withUnsafeMutableBytes { bytes in
                guard let base = bytes.baseAddress else { return }
                transaction.signature.r.write(to: base)
                transaction.author.raw.write(to: base + 32)
                transaction.id.raw.write(to: base + 64)
            }
            signatures.withUnsafeMutableBytes { bytes in
                guard let base = bytes.baseAddress else { return }
                transaction.signature.r.write(to: base + 64 * slot)
                transaction.signature.s.write(to: base + 64 * slot + 32)
            }
            input.withUnsafeBufferPointer { inputBytes in
                challenges.withUnsafeMutableBufferPointer { out in
                    guard let r = inputBytes.baseAddress, let h = out.baseAddress else { return }
                    let message = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(inputBytes)[64...])
                    PrecomputedKeys.challenge(into: h + 32 * slot, r: r, key: r + 32, message: message)
                }
            }
            tables.append(table)
            keys.append(key)
            slots.append(index)
        }
        guard !slots.isEmpty else { return results }
        var valid = [UInt8](repeating: 0, count: slots.count)
        keys.withUnsafeBufferPointer { keyPointers in
            signatures.withUnsafeBufferPointer { signatureBytes in
                challenges.withUnsafeBufferPointer { challengeBytes in
                    valid.withUnsafeMutableBufferPointer { out in
                        kc_ed25519_verify_batch(keyPointers.baseAddress, signatureBytes.baseAddress, challengeBytes.baseAddress, slots.count, out.baseAddress)
                    }
                }
            }
        }
        for (position, index) in slots.enumerated() { results[index] = valid[position] == 1 }
        withExtendedLifetime(tables) {}
        return results
    }
}
