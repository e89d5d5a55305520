import KeyChainChain
import KeyChainCore
import KeyChainTestSupport
import Testing

/// Batches of signatures, as blocks, relayed puts and `submitBatch` bring them: each keeps
/// its own answer, and only the good ones are remembered.
@Suite struct SignatureCacheTests {
    static func puts(_ count: Int, forgedAt forged: Int) throws -> [Transaction] {
        let author = try TestNetwork.identity(0xA1)
        return try (0..<count).map { index in
            let put = try Transaction.signed(key: "batch/\(index)", value: [UInt8(index % 256)], nonce: UInt64(index), by: author)
            guard index == forged else { return put }
            var bytes = put.signature.bytes
            bytes[40] ^= 0x10
            return put.withSignature(try #require(Signature(bytes)))
        }
    }

    @Test func aForgedSignatureInABatchIsFoundAtItsIndex() throws {
        let puts = try Self.puts(500, forgedAt: 321)
        let cache = SignatureCache(workers: 2)
        #expect(cache.firstInvalid(in: puts) == 321)
        #expect(cache.firstInvalid(in: puts) == 321, "a forged signature is never cached")
        #expect(!cache.isValid(puts[321]))
        #expect(cache.isValid(puts[320]))
    }

    @Test func verifyingABatchCachesOnlyTheGoodSignatures() throws {
        let puts = try Self.puts(300, forgedAt: 17)
        let cache = SignatureCache(workers: 1)
        cache.verify(puts)
        #expect(cache.firstInvalid(in: puts) == 17)
        #expect(!cache.isValid(puts[17]))
        // The same txid with the right signature is another cache entry, and valid.
        let honest = try Self.puts(18, forgedAt: -1)[17]
        #expect(honest.id == puts[17].id && cache.isValid(honest))
    }

    @Test func uncachedNamesWhatIsLeftToVerifyInOrder() throws {
        let puts = try Self.puts(40, forgedAt: 9)
        let cache = SignatureCache(workers: 1)
        #expect(cache.uncached(puts).map(\.id) == puts.map(\.id))
        cache.verify(puts[0..<20])
        // The forged one was refused, so it is still to verify; the good ones are not.
        #expect(cache.uncached(puts).map(\.id) == [puts[9].id] + puts[20...].map(\.id))
        // With the honest signature cached, the forged one on the same txid is still not.
        let honest = try Self.puts(10, forgedAt: -1)[9]
        cache.verify([honest])
        #expect(cache.uncached([honest, puts[9]]).map(\.signature) == [puts[9].signature])
    }
}
