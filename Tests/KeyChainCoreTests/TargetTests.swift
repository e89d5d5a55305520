import KeyChainCore
import Testing

@Suite struct TargetTests {
    struct Case: Sendable {
        let bits: Int
        let compact: UInt32
        let firstBytesHex: String
    }

    static let cases: [Case] = [
        .init(bits: 1, compact: 0x2100_8000, firstBytesHex: "80"),
        .init(bits: 8, compact: 0x2001_0000, firstBytesHex: "01"),
        .init(bits: 12, compact: 0x1F10_0000, firstBytesHex: "0010"),
        .init(bits: 20, compact: 0x1E10_0000, firstBytesHex: "000010"),
        .init(bits: 24, compact: 0x1E01_0000, firstBytesHex: "000001"),
        .init(bits: 32, compact: 0x1D01_0000, firstBytesHex: "0000000100"),
    ]

    @Test(arguments: cases) func difficultyBitsMakeTarget(_ test: Case) throws {
        let target = try Target(difficultyBits: test.bits)
        #expect(target.compact == test.compact)
        #expect(target.value.hex.hasPrefix(test.firstBytesHex))
        #expect(target.work == Work(UInt128(1) << test.bits))
        #expect(try Target(compact: test.compact) == target)
    }

    @Test func proofOfWorkComparesAsBigEndianNumber() throws {
        let target = try Target(difficultyBits: 8)  // 0x01 followed by zeros
        #expect(target.isMet(by: try #require(Hash256(hex: "00ff" + String(repeating: "ff", count: 30)))))
        #expect(target.isMet(by: try #require(Hash256(hex: "01" + String(repeating: "00", count: 31)))))
        #expect(!target.isMet(by: try #require(Hash256(hex: "01" + String(repeating: "00", count: 30) + "01"))))
    }

    @Test func badCompactFormsAreRejected() {
        #expect(throws: TargetError.negative(0x1D80_0000)) { try Target(compact: 0x1D80_0000) }
        #expect(throws: TargetError.zero(0x1D00_0000)) { try Target(compact: 0x1D00_0000) }
        #expect(throws: TargetError.overflow(0x2201_0000)) { try Target(compact: 0x2201_0000) }
        #expect(throws: TargetError.difficultyOutOfRange(0)) { try Target(difficultyBits: 0) }
        #expect(throws: TargetError.difficultyOutOfRange(121)) { try Target(difficultyBits: 121) }
    }

    @Test func workAddsAndSaturates() {
        #expect(Work(3) + Work(4) == Work(7))
        #expect(Work(.max) + Work(1) == Work(.max))
        #expect(Work(3) - Work(4) == .zero)
    }
}

@Suite struct MerkleTreeTests {
    static let a = Hash256(sha256d: Array("a".utf8))
    static let b = Hash256(sha256d: Array("b".utf8))
    static let c = Hash256(sha256d: Array("c".utf8))

    @Test func roots() throws {
        #expect(MerkleTree.root([]) == .zero)
        #expect(MerkleTree.root([Self.a]) == Self.a)
        // Independent value: SHA-256d(0x80 | SHA-256d(0x80 | a | b) | c).
        #expect(MerkleTree.root([Self.a, Self.b, Self.c]).hex == "a4b81651700a24105c066ac8b5d4d83cde2e4ae2422fb47fb263a875c70a40ca")
    }

    @Test func duplicatingTheLastLeafChangesTheRoot() {
        // Bitcoin pairs an odd node with itself, so [a, b, c] and [a, b, c, c] share a root.
        #expect(MerkleTree.root([Self.a, Self.b, Self.c]) != MerkleTree.root([Self.a, Self.b, Self.c, Self.c]))
    }

    @Test func proofsVerifyForEveryLeaf() throws {
        let leaves = (0..<13).map { Hash256(sha256d: [UInt8($0)]) }
        let root = MerkleTree.root(leaves)
        for (index, leaf) in leaves.enumerated() {
            let proof = try #require(MerkleTree.proof(for: index, in: leaves))
            #expect(MerkleTree.verify(leaf: leaf, proof: proof, root: root))
            #expect(!MerkleTree.verify(leaf: Self.a, proof: proof, root: root))
        }
        #expect(MerkleTree.proof(for: 13, in: leaves) == nil)
    }
}
