import CFuzzDriver
import CKeyChainNative
import Foundation
@testable import KeyChainCore
import KeyChainTestSupport

// The `signature` target: one key, signature and message checked on every verification path
// the node has, each answer held to libsodium 1.0.18's (the oracle for the rule of
// docs/PROTOCOL.md §2). Input: key (32 bytes) | signature (64) | a flags byte | message.
extension FuzzTarget {
    static func signature(_ bytes: [UInt8]) {
        guard bytes.count >= 97 else { return }
        let key = Array(bytes[0..<32]), signature = Array(bytes[32..<96]), flags = bytes[96], message = Array(bytes[97...])
        let expected = Libsodium.verify(signature: signature, message: message, key: key)
        let untabled = message.withUnsafeBufferPointer { kc_ed25519_verify(signature, $0.baseAddress, $0.count, key) == 1 }
        precondition(untabled == expected, "without tables: \(untabled), libsodium: \(expected)")
        var h = [UInt8](repeating: 0, count: 32)
        message.withUnsafeBufferPointer { kc_ed25519_challenge(&h, signature, key, $0.baseAddress, $0.count) }
        let raw = Bytes32(key) ?? .zero
        // Wide tables take about 1.7 ms to build: one input in sixteen asks for them.
        for wide in flags & 0x0F == 0 ? [false, true] : [false] {
            let table = PrecomputedKeys.build(raw, wide: wide)
            let tabled = table.map { table in table.key.map { kc_ed25519_verify_prehashed($0, signature, h) == 1 } ?? false } ?? expected
            precondition(tabled == expected, "\(wide ? "wide" : "narrow") tables: \(tabled), libsodium: \(expected)")
        }
        // A batch: this signature without tables, a valid one between, and this one again with
        // narrow tables; the shared inversion must not change an answer.
        let narrow = PrecomputedKeys.build(raw, wide: false)
        let keys: [OpaquePointer?] = [nil, nil, narrow?.key]
        let publicKeys = key + signatureFixture.key + key
        let signatures = signature + signatureFixture.signature + signature
        let challenges = h + signatureFixture.h + h
        var results = [UInt8](repeating: 0, count: 3)
        keys.withUnsafeBufferPointer { kc_ed25519_verify_batch($0.baseAddress, publicKeys, signatures, challenges, 3, &results) }
        withExtendedLifetime(narrow) {}
        let refusedKey = narrow != nil && narrow?.key == nil  // the rule refuses the key itself
        precondition(results[0] == (expected ? 1 : 0) && results[1] == 1, "batch: \(results), libsodium: \(expected)")
        precondition(refusedKey ? results[2] == 0 : results[2] == results[0], "batch with tables: \(results), libsodium: \(expected)")
    }

    /// A valid signature, its key and its challenge, for the middle of the batch.
    private static let signatureFixture: (key: [UInt8], signature: [UInt8], h: [UInt8]) = {
        let identity = (try? Identity(seed: [UInt8](repeating: 0x5A, count: 32))) ?? Identity()
        let message = Array("fixture".utf8)
        let key = identity.publicKey.raw.bytes, signature = identity.sign(message).bytes
        var h = [UInt8](repeating: 0, count: 32)
        kc_ed25519_challenge(&h, signature, key, message, message.count)
        return (key, signature, h)
    }()

    /// The public suites' cases (Tests/KeyChainCoreTests/Vectors): every RFC 8032, speccheck
    /// and Wycheproof case with a 64-byte signature, and every CCTV case that the rule accepts
    /// or whose flags no earlier case had.
    static func signatureSeeds() throws -> [[UInt8]] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../Tests/KeyChainCoreTests/Vectors").standardized
        func json(_ name: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(name))) }
        func hex(_ value: Any?) -> [UInt8] { (value as? String).flatMap { Hex.decode($0) } ?? [] }
        func seed(_ key: [UInt8], _ signature: [UInt8], _ message: [UInt8], _ flags: UInt8 = 1) -> [UInt8]? {
            key.count == 32 && signature.count == 64 ? key + signature + [flags] + message : nil
        }
        var seeds: [[UInt8]] = []
        let rfc = (try json("rfc8032.json") as? [String: Any])?["cases"] as? [[String: Any]] ?? []
        seeds += rfc.compactMap { seed(hex($0["public_key"]), hex($0["signature"]), hex($0["message"]), 0) }
        let speccheck = try json("speccheck-cases.json") as? [[String: Any]] ?? []
        seeds += speccheck.compactMap { seed(hex($0["pub_key"]), hex($0["signature"]), hex($0["message"]), 0) }
        let accepted = Set((try json("expected.json") as? [String: Any])?["cctvAccepted"] as? [Int] ?? [])
        var flagSets: Set<[String]> = []
        for item in try json("cctv-ed25519vectors.json") as? [[String: Any]] ?? [] {
            let flags = (item["flags"] as? [String] ?? []).sorted()
            guard accepted.contains(item["number"] as? Int ?? -1) || flagSets.insert(flags).inserted else { continue }
            if let made = seed(hex(item["key"]), hex(item["sig"]), Array((item["msg"] as? String ?? "").utf8)) { seeds.append(made) }
        }
        let wycheproof = (try json("wycheproof-ed25519_test.json") as? [String: Any])?["testGroups"] as? [[String: Any]] ?? []
        for group in wycheproof {
            let key = hex((group["publicKey"] as? [String: Any])?["pk"])
            for test in group["tests"] as? [[String: Any]] ?? [] {
                if let made = seed(key, hex(test["sig"]), hex(test["msg"])) { seeds.append(made) }
            }
        }
        guard seeds.count > 100 else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: folder.path]) }
        return seeds
    }

    /// The points of order 1, 2, 4 and 8, as the mutator adds them to A or R.
    private static let torsion: [[UInt8]] = [
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    ].compactMap { Hex.decode($0) }

    /// L, little-endian.
    private static let order = Hex.decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010") ?? []

    /// The signature target's own mutations, where the edge cases of the rule live: a torsion
    /// point added to A or to R, L added to S, A or R replaced by a non-canonical encoding
    /// (y + p for some y below 19). Otherwise, and for every other target, libFuzzer's own.
    static func mutateSignatureInput(_ input: inout [UInt8], seed: UInt32) -> Bool {
        guard input.count >= 97 else { return false }
        var generator = SplitMix(seed)
        switch generator.next() % 6 {
        case 0, 1:
            let offset = generator.next() % 2 == 0 ? 0 : 32  // A or R
            let point = torsion[Int(generator.next() % UInt64(torsion.count))]
            guard let sum = Libsodium.add(Array(input[offset..<offset + 32]), point) else { return false }
            input.replaceSubrange(offset..<offset + 32, with: sum)
        case 2:
            var carry = 0
            for index in 0..<32 {
                let total = Int(input[64 + index]) + Int(order[index]) + carry
                input[64 + index] = UInt8(total & 0xFF)
                carry = total >> 8
            }
        case 3, 4:
            let offset = generator.next() % 2 == 0 ? 0 : 32
            let y = UInt8(generator.next() % 19), sign: UInt8 = generator.next() % 2 == 0 ? 0 : 0x80
            input.replaceSubrange(offset..<offset + 32, with: [0xED + y] + [UInt8](repeating: 0xFF, count: 30) + [0x7F | sign])
        default:
            return false
        }
        return true
    }

    /// A small seeded generator, so that a mutation is reproducible from libFuzzer's seed.
    private struct SplitMix {
        var state: UInt64
        init(_ seed: UInt32) { state = UInt64(seed) }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
