import Foundation
import KeyChainCore
import KeyChainStore
import KeyChainTestSupport
import Testing

/// The key index on disk records chain updates exactly: versions numbered per key, owners,
/// authors, confirmed txids by block, key order, undo, and one snapshot per read.
@Suite struct KeyIndexDatabaseTests {
    static let genesis = BlockHeader(previous: .zero, merkleRoot: .zero, timestamp: 1_000, target: 0x207f_ffff)

    /// A block on `parent` holding `puts` (the database checks no rule, so none is mined).
    static func block(on parent: BlockHeader, _ puts: [Transaction]) -> Block {
        Block(header: BlockHeader(previous: parent.hash, merkleRoot: MerkleTree.root(puts.map(\.id)), timestamp: parent.timestamp + 1,
                                  target: parent.target), transactions: puts)
    }

    static func versions(_ database: KeyIndexDatabase, _ key: String) throws -> [KeyVersion] {
        try database.read { reader throws(StoreError) in
            guard let record = try reader.key(key) else { return [] }
            return try reader.versions(of: key, from: 0, count: record.versions)
        }
    }

    @Test func appliedBlocksNumberEachKeysVersionsAndNameTheirBlocks() throws {
        let directory = try TemporaryDirectory()
        let database = try KeyIndexDatabase(path: directory.file("keyindex.sqlite"))
        #expect(try database.state() == nil)
        let alice = try TestNetwork.identity(1), bob = try TestNetwork.identity(2)
        let first = Self.block(on: Self.genesis, [try TestNetwork.put("a", "1", by: alice), try TestNetwork.put("b", "x", by: bob)])
        let second = Self.block(on: first.header, [try TestNetwork.put("a", "2", by: alice)])
        let state = try database.write([.apply(first, hash: first.hash, height: 1), .apply(second, hash: second.hash, height: 2)], sequence: 7)
        #expect(state == KeyIndexState(tip: second.hash, height: 2, sequence: 7, keys: 2, puts: 3))
        #expect(try database.state() == state)

        let a = try Self.versions(database, "a")
        #expect(a.map(\.value) == [Array("1".utf8), Array("2".utf8)])
        #expect(a.map(\.height) == [1, 2])
        #expect(a.map(\.blockHash) == [first.hash, second.hash])
        #expect(a.map(\.txid) == [first.transactions[0].id, second.transactions[0].id])
        #expect(a.allSatisfy { $0.author == alice.publicKey })
        try database.read { reader throws(StoreError) in
            #expect(try reader.key("a")?.owner == alice.publicKey)
            #expect(try reader.key("c") == nil)
            #expect(try reader.confirmation(of: first.transactions[1].id)! == (1, first.hash))
            #expect(try reader.confirmation(of: Hash256(sha256d: [9])) == nil)
        }
    }

    @Test func undoRemovesTheTipBlocksVersionsKeysAndTxids() throws {
        let directory = try TemporaryDirectory()
        let database = try KeyIndexDatabase(path: directory.file("keyindex.sqlite"))
        let alice = try TestNetwork.identity(1)
        let first = Self.block(on: Self.genesis, [try TestNetwork.put("a", "1", by: alice)])
        let second = Self.block(on: first.header, [try TestNetwork.put("a", "2", by: alice), try TestNetwork.put("new", "n", by: alice)])
        try database.write([.apply(first, hash: first.hash, height: 1), .apply(second, hash: second.hash, height: 2)], sequence: 1)
        // A reorganisation in one update: the tip out, a sibling in.
        let sibling = Self.block(on: first.header, [try TestNetwork.put("a", "2'", by: alice)])
        let state = try database.write([.undo(second, height: 2), .apply(sibling, hash: sibling.hash, height: 2)], sequence: 2)
        #expect(state == KeyIndexState(tip: sibling.hash, height: 2, sequence: 2, keys: 1, puts: 2))
        #expect(try Self.versions(database, "a").map(\.value) == [Array("1".utf8), Array("2'".utf8)])
        #expect(try Self.versions(database, "new").isEmpty)
        try database.read { reader throws(StoreError) in
            #expect(try reader.confirmation(of: second.transactions[0].id) == nil)
            #expect(try reader.confirmation(of: sibling.transactions[0].id)! == (2, sibling.hash))
        }
        // Undoing a block that is not the tip is refused, and changes nothing.
        #expect(throws: StoreError.self) { try database.write([.undo(first, height: 1)], sequence: 3) }
        #expect(try database.state() == state)
    }

    @Test func keysComeInByteOrderFromTheGivenStart() throws {
        let directory = try TemporaryDirectory()
        let database = try KeyIndexDatabase(path: directory.file("keyindex.sqlite"))
        let alice = try TestNetwork.identity(1)
        // "é" as one scalar and as "e" plus a combining accent are different keys, sorted by bytes.
        let names = ["b", "a/2", "a/1", "é", "e\u{301}", "a"]
        let block = Self.block(on: Self.genesis, try names.map { try TestNetwork.put($0, "v", by: alice) })
        try database.write([.apply(block, hash: block.hash, height: 1)], sequence: 1)
        let all = try database.read { reader throws(StoreError) in try reader.keys(from: "", limit: 100) }
        #expect(all.map { Array($0.utf8) } == names.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
        let page = try database.read { reader throws(StoreError) in try reader.keys(from: "a/", limit: 2) }
        #expect(page == ["a/1", "a/2"])
    }

    @Test func aReadSeesOneSnapshotWhileAWriteCommits() throws {
        let directory = try TemporaryDirectory()
        let database = try KeyIndexDatabase(path: directory.file("keyindex.sqlite"))
        let alice = try TestNetwork.identity(1)
        let first = Self.block(on: Self.genesis, [try TestNetwork.put("a", "1", by: alice)])
        try database.write([.apply(first, hash: first.hash, height: 1)], sequence: 1)
        let second = Self.block(on: first.header, [try TestNetwork.put("a", "2", by: alice)])
        let (before, after) = try database.read { reader throws(StoreError) in
            let before = try reader.key("a")?.versions
            // Another thread's write commits in the middle of this read.
            try database.write([.apply(second, hash: second.hash, height: 2)], sequence: 2)
            return (before, try reader.state()?.height)
        }
        #expect(before == 1 && after == 1)
        #expect(try database.state()?.height == 2)
    }

    @Test func idleReadersSeeTheNextWriteAndHoldBackNoCheckpoint() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("keyindex.sqlite")
        let database = try KeyIndexDatabase(path: path)
        let alice = try TestNetwork.identity(1)
        let first = Self.block(on: Self.genesis, [try TestNetwork.put("a", "1", by: alice)])
        try database.write([.apply(first, hash: first.hash, height: 1)], sequence: 1)
        // Two readers, both back in the pool with their snapshots open.
        try database.read { outer throws(StoreError) in
            try database.read { inner throws(StoreError) in #expect(try inner.state()?.height == 1) }
            #expect(try outer.state()?.height == 1)
        }
        let second = Self.block(on: first.header, [try TestNetwork.put("a", "2", by: alice)])
        try database.write([.apply(second, hash: second.hash, height: 2)], sequence: 2)
        try database.read { outer throws(StoreError) in
            try database.read { inner throws(StoreError) in #expect(try inner.latest("a")?.number == 1) }
            #expect(try outer.state()?.height == 2)
        }
        // The idle readers' snapshots are current, and a write ends them: the log empties.
        let third = Self.block(on: second.header, [try TestNetwork.put("a", "3", by: alice)])
        try database.write([.apply(third, hash: third.hash, height: 3)], sequence: 3)
        try database.checkpointLog()
        let log = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int
        #expect(log == 0)
    }

    /// Sets the format `meta` records, as another build of the node would have left it.
    static func setFormat(_ format: Int, at path: String) throws {
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sqlite.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE meta SET value=\(format) WHERE name='format'\"); c.commit()", path]
        try sqlite.run()
        sqlite.waitUntilExit()
        #expect(sqlite.terminationStatus == 0)
    }

    @Test func anIndexInANewerFormatIsRefusedWithBothFormats() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("keyindex.sqlite")
        _ = try KeyIndexDatabase(path: path)
        try Self.setFormat(9, at: path)
        #expect {
            _ = try KeyIndexDatabase(path: path)
        } throws: { error in
            "\(error)".contains("format 9") && "\(error)".contains("format 2")
        }
    }

    @Test func anIndexInAnOlderFormatIsEmptiedToBeBuiltAgain() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("keyindex.sqlite")
        let alice = try TestNetwork.identity(1)
        let first = Self.block(on: Self.genesis, [try TestNetwork.put("a", "1", by: alice)])
        do {
            let database = try KeyIndexDatabase(path: path)
            try database.write([.apply(first, hash: first.hash, height: 1)], sequence: 1)
        }
        try Self.setFormat(1, at: path)
        let reopened = try KeyIndexDatabase(path: path)
        #expect(try reopened.state() == nil)
        #expect(try Self.versions(reopened, "a").isEmpty)
        try reopened.write([.apply(first, hash: first.hash, height: 1)], sequence: 1)
        #expect(try Self.versions(reopened, "a").map(\.value) == [Array("1".utf8)])
    }
}
