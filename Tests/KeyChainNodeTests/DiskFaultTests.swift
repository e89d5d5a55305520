import Foundation
import KeyChainAPI
import KeyChainClient
import KeyChainTestProcesses
import KeyChainTestSupport
import Testing

/// KeyChain's feature_abortnode: the disk fills while the node stores blocks. The node logs it,
/// reports it in `status`, refuses new puts with -32030 and a reason, answers reads, and takes
/// puts again once there is room, with nothing lost or corrupted. The disk is a tmpfs of 3 MB
/// that the test mounts (root only) and grows afterwards.
@Suite(.serialized) struct DiskFaultTests {
    static var canMount: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/mount") }

    @Test(.enabled(if: canMount, "needs root to mount a small tmpfs; skipped"))
    func aFullDiskRefusesPutsServesReadsAndResumes() async throws {
        let directory = try TemporaryDirectory()
        let disk = directory.file("disk")
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        try runTool("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", disk])
        defer { _ = try? runTool("/usr/bin/umount", ["-l", disk]) }

        // The node's data directory is the tmpfs; its log (beside it) is not.
        let node = try await NodeProcess(dataDirectory: disk)
        let client = try await node.client()
        var confirmed: [(key: String, value: [UInt8])] = []
        var refusal: String?
        for index in 0..<200 {
            // Random bytes: the store compresses, and the disk must fill.
            let value = (0..<48_000).map { _ in UInt8.random(in: 0...255) }
            let key = "disk/\(index)"
            let receipt: PutReceipt
            do {
                receipt = try await client.put(key: key, value: value, signer: .node, timeout: .seconds(5))
            } catch {
                refusal = "\(error)"
                break
            }
            if case .confirmed = await receipt.outcome { confirmed.append((key, value)) }
        }
        let reason = try #require(refusal, "the disk never filled")
        #expect(reason.contains("cannot store blocks") && reason.contains("\(RPCErrorCode.unavailable.rawValue)"), "\(reason)")
        #expect(confirmed.count >= 10, "only \(confirmed.count) puts fitted before the disk filled")
        let failing = try await client.status()
        #expect(failing.storageFault != nil)
        #expect(node.log.contains("cannot store blocks"), "\(node.log.suffix(2_000))")
        // Reads go on.
        for (key, value) in confirmed.prefix(5) {
            #expect(try await client.retrieve(key)?.value == ValueEncoding.choose(for: value).text(value))
        }

        try runTool("/usr/bin/mount", ["-o", "remount,size=64m", disk])
        try await eventually("the node to take puts again", seconds: 30) { try await client.status().storageFault == nil }
        let after = try await client.put(key: "disk/after", value: Array("room again".utf8), signer: .node)
        guard case .confirmed = await after.outcome else { Issue.record("no put confirmed after the disk had room"); return }
        #expect(node.log.contains("blocks can be stored again"))
        await client.close()
        try await node.stop()

        // Nothing written before the fault was lost or damaged.
        let restarted = try await NodeProcess(dataDirectory: disk)
        let reader = try await restarted.client()
        for (key, value) in confirmed {
            #expect(try await reader.retrieve(key)?.value == ValueEncoding.choose(for: value).text(value), "\(key)")
        }
        await reader.close()
        try await restarted.stop()
        try StoredChain.expectConsistent(disk)
        print("disk fault: \(confirmed.count) puts confirmed before the 3 MB disk filled; refused with: \(reason)")
    }

    /// The segment file shrinks under a running node (the disk lost its tail): asking for a
    /// block whose bytes are gone is answered with an error naming the file, never with data,
    /// and the node goes on answering `get` from its key index.
    @Test func aBlockThatCannotBeReadIsReportedNotServed() async throws {
        let directory = try TemporaryDirectory()
        let node = try await NodeProcess(dataDirectory: directory.file("node"))
        let client = try await node.client()
        for index in 0..<5 {
            let receipt = try await client.put(key: "read/\(index)", value: Array("value \(index)".utf8), signer: .node)
            guard case .confirmed = await receipt.outcome else { Issue.record("put \(index) not confirmed"); return }
        }
        let segment = directory.file("node/blocks/000000000.seg")
        let handle = try #require(FileHandle(forWritingAtPath: segment))
        try handle.truncate(atOffset: 0)
        try handle.close()
        do {
            let block = try await client.block(height: 1)
            Issue.record("a block whose bytes are gone was served: \(block.hash)")
        } catch {
            #expect("\(error)".contains("000000000.seg"), "\(error)")
        }
        #expect(try await client.retrieve("read/4")?.value == "value 4")
        #expect(node.isRunning)
        await client.close()
        try await node.stop()
    }
}
