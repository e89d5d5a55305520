import CKeyChainNative
@testable import KeyChainCore
import Testing

/// Every way a node can check a signature, named so that a test says which one it exercises
/// instead of depending on what the process-wide table cache has seen.
enum VerifierPath: String, CaseIterable, CustomTestStringConvertible, Sendable {
    /// `kc_ed25519_verify`: no tables, one signature (a cold key).
    case untabled
    /// Narrow tables (radix 16), one signature.
    case narrowTables
    /// Wide tables (radix 256), one signature.
    case wideTables
    /// `kc_ed25519_verify_batch` without tables: every key decoded on the spot.
    case untabledBatch
    /// `kc_ed25519_verify_batch` with keys given by turns without tables, with narrow and with
    /// wide ones.
    case mixedBatch

    var testDescription: String { rawValue }

    /// The paths that take a challenge h directly.
    static let prehashed: [VerifierPath] = [.narrowTables, .wideTables, .untabledBatch, .mixedBatch]

    /// The answer of this path for each case, a batch path checking them all as one batch.
    func verify(_ cases: [(key: [UInt8], signature: [UInt8], message: [UInt8])]) -> [Bool] {
        let hashed = cases.map { item -> (key: [UInt8], signature: [UInt8], h: [UInt8]) in
            var h = [UInt8](repeating: 0, count: 32)
            if item.key.count == 32, item.signature.count == 64 {
                item.message.withUnsafeBufferPointer { kc_ed25519_challenge(&h, item.signature, item.key, $0.baseAddress, $0.count) }
            }
            return (item.key, item.signature, h)
        }
        switch self {
        case .untabled:
            return cases.map { item in
                guard item.key.count == 32, item.signature.count == 64 else { return false }
                return item.message.withUnsafeBufferPointer { kc_ed25519_verify(item.signature, $0.baseAddress, $0.count, item.key) == 1 }
            }
        default:
            return verify(prehashed: hashed)
        }
    }

    /// The answer of this path for signatures with their challenges given (`prehashed` paths;
    /// the untabled single path computes its own challenge, so it answers false here).
    func verify(prehashed cases: [(key: [UInt8], signature: [UInt8], h: [UInt8])]) -> [Bool] {
        switch self {
        case .untabled:
            return cases.map { _ in false }
        case .narrowTables, .wideTables:
            return cases.map { item in
                guard let key = Bytes32(item.key), item.signature.count == 64 else { return false }
                guard let table = PrecomputedKeys.build(key, wide: self == .wideTables), let tables = table.key else { return false }
                return kc_ed25519_verify_prehashed(tables, item.signature, item.h) == 1
            }
        case .untabledBatch, .mixedBatch:
            let usable = cases.indices.filter { cases[$0].key.count == 32 && cases[$0].signature.count == 64 }
            let tables: [PrecomputedKeys.Table?] = usable.enumerated().map { position, index in
                guard self == .mixedBatch, position % 3 != 0, let key = Bytes32(cases[index].key) else { return nil }
                return PrecomputedKeys.build(key, wide: position % 3 == 2)
            }
            // A key the rule refuses has no tables: the batch gets its bytes instead.
            let keys = tables.map { $0?.key }
            let publicKeys = usable.flatMap { cases[$0].key }
            let signatures = usable.flatMap { cases[$0].signature }
            let challenges = usable.flatMap { cases[$0].h }
            var results = [UInt8](repeating: 0, count: usable.count)
            keys.withUnsafeBufferPointer { keyPointers in
                kc_ed25519_verify_batch(keyPointers.baseAddress, publicKeys, signatures, challenges, usable.count, &results)
            }
            withExtendedLifetime(tables) {}
            var answers = [Bool](repeating: false, count: cases.count)
            for (position, index) in usable.enumerated() { answers[index] = results[position] == 1 }
            return answers
        }
    }

    /// One case.
    func verify(signature: [UInt8], message: [UInt8], key: [UInt8]) -> Bool {
        verify([(key, signature, message)])[0]
    }
}
