@testable import KeyChainCore
import KeyChainTestSupport
import Testing

/// The cache of verification tables: which keys get them and when, and that a batch of
/// transactions gets the same answers with the cache's tables, with none, and from libsodium.
@Suite struct PrecomputedKeysTests {
    static func publicKey() throws -> Bytes32 { try #require(Bytes32(Libsodium.keyPair().publicKey)) }

    /// A key gets tables on its third use, and its signatures get the same answers with the
    /// cache's tables as without any.
    @Test func theCacheBuildsTablesForBusyKeysAndTheyAnswerAsNoTablesDo() throws {
        let cache = PrecomputedKeys(capacity: 2, threshold: 3)
        let identity = try Identity(seed: [UInt8](repeating: 7, count: 32))
        let key = identity.publicKey
        #expect(cache.table(for: key.raw) == nil)
        #expect(cache.table(for: key.raw) == nil)
        let tables = try #require(cache.table(for: key.raw))
        for index in 0..<10 {
            let digest = Hash256(sha256d: [UInt8(index)])
            let signature = identity.sign(digest.bytes)
            let other = Hash256(sha256d: [UInt8(index), 1])
            #expect(key.isValidSignature(signature, forDigest: digest, tables: tables))
            #expect(key.isValidSignature(signature, forDigest: digest, tables: nil))
            #expect(!key.isValidSignature(signature, forDigest: other, tables: tables))
            #expect(!key.isValidSignature(signature, forDigest: other, tables: nil))
        }
    }

    /// More busy keys than the cache holds, in rotation: builds are rationed (16, then one per
    /// 64 verifications), so rebuilding cannot cost more than a few percent.
    @Test func rotatingKeysCannotThrashTheCache() throws {
        let cache = PrecomputedKeys(capacity: 4, threshold: 1)
        let keys = try (0..<40).map { _ in try Self.publicKey() }
        for _ in 0..<50 { for key in keys { _ = cache.table(for: key) } }
        #expect(cache.builds <= 16 + 2_000 / 64 + 1)
    }

    /// While the cache has room every busy key gets its tables at once: nothing is evicted,
    /// so nothing is wasted, and a sync of many authors runs at table speed from the start.
    @Test func buildsAreNotRationedWhileTheCacheHasRoom() throws {
        let cache = PrecomputedKeys(capacity: 100, threshold: 1)
        let keys = try (0..<100).map { _ in try Self.publicKey() }
        for key in keys { _ = cache.table(for: key) }
        #expect(cache.builds == 100)
        #expect(keys.allSatisfy { cache.table(for: $0) != nil })
    }

    /// A key that signs most gets wide tables at its `wideThreshold`-th use, and past
    /// `wideCapacity` wide keys the least recently used one leaves the cache.
    @Test func theBusiestKeysGetWideTablesAndTheStalestMakesRoom() throws {
        let cache = PrecomputedKeys(capacity: 4, threshold: 1, wideCapacity: 1, wideThreshold: 3)
        let first = try Self.publicKey(), second = try Self.publicKey()
        #expect(cache.table(for: first)?.isWide == false)
        for _ in 0..<3 { #expect(cache.table(for: first)?.isWide == false) }
        #expect(cache.table(for: first)?.isWide == true)
        for _ in 0..<4 { _ = cache.table(for: second) }
        #expect(cache.table(for: second)?.isWide == true)
        #expect(cache.table(for: first)?.isWide == false, "the stalest wide key gave its place up")
        #expect(cache.builds == 5)
    }

    /// A block's worth of transactions gives every signature the answer libsodium gives it
    /// alone, with no tables at all and with a cache's (narrow, wide and none mixed as keys
    /// come): valid and corrupted signatures, and a key with a torsion component whose
    /// signatures split.
    @Test func aBatchOfTransactionsGivesEachSignatureLibsodiumsAnswer() throws {
        let cache = PrecomputedKeys(capacity: 8, threshold: 2, wideCapacity: 4, wideThreshold: 40)
        let identities = try (0..<3).map { _ in try Identity(seed: SignatureDifferentialTests.random(32)) }
        let torsion = try SignatureDifferentialTests.TorsionKey(torsion: SignatureDifferentialTests.smallOrder[2])
        let torsionAuthor = PublicKey(raw: try #require(Bytes32(torsion.key)))
        var transactions: [Transaction] = []
        for index in 0..<240 {
            var transaction: Transaction
            if index % 4 == 3 {
                transaction = try Transaction(key: "t\(index)", value: [UInt8(index % 256)], author: torsionAuthor, nonce: UInt64(index))
                transaction = transaction.withSignature(try #require(Signature(torsion.sign(transaction.id.bytes))))
            } else {
                transaction = try Transaction.signed(key: "k\(index)", value: [UInt8(index % 256)], by: identities[index % 3 == 0 ? 0 : index % 2 + 1])
            }
            if index % 7 == 0 {
                var bytes = transaction.signature.bytes
                bytes[index % 64] ^= UInt8(1 << (index % 8))
                transaction = transaction.withSignature(try #require(Signature(bytes)))
            }
            transactions.append(transaction)
        }
        let expected = transactions.map { Libsodium.verify(signature: $0.signature.bytes, message: $0.id.bytes, key: $0.author.raw.bytes) }
        #expect(expected.contains(true) && expected.contains(false))
        #expect(transactions.indices.filter { $0 % 4 == 3 && $0 % 7 != 0 }.contains { !expected[$0] }, "some torsion-key signatures fail")
        #expect(Transaction.validSignatures(transactions, tablesFrom: nil) == expected, "no tables")
        // The first pass builds tables as keys come; the second finds the busiest key wide.
        for pass in 0..<2 {
            let answers = Transaction.validSignatures(transactions, tablesFrom: cache)
            for index in transactions.indices where answers[index] != expected[index] {
                Issue.record("pass \(pass), transaction \(index): batch says \(answers[index]), libsodium \(expected[index])")
            }
        }
        #expect(cache.table(for: identities[0].publicKey.raw)?.isWide == true)
    }
}
