import Foundation
import KeyChainAPI
import KeyChainChain
import KeyChainCore
import KeyChainStore
import KeyChainTestSupport
import Testing

@testable import KeyChainOwner

/// The full-disk path in-process, without root: a `--dev` node over an in-memory store whose
/// capacity the test sets. When a block no longer fits, the node reports the fault, refuses
/// new puts with a reason, keeps answering reads, and takes puts again once there is room,
/// with every confirmed write still there. (`DiskFaultTests` runs the same story on a real
/// tmpfs as root.)
@Suite struct FullStoreTests {
    @Test func aFullStoreRefusesPutsServesReadsAndResumes() async throws {
        let directory = try TemporaryDirectory()
        let capacity = StoreCapacity(bytes: 60_000)
        let node = try Node(parameters: try TestNetwork.parameters(difficultyBits: 4), storage: MemoryBlockStore(capacity: capacity),
                            wallet: try TestNetwork.identity(3), configuration: NodeConfiguration(dataDirectory: directory.path, dev: true))
        node.start()
        var confirmed: [(key: String, value: [UInt8])] = []
        var refusal: NodeRequestError?
        for index in 0..<100 {
            let key = "full/\(index)"
            let value = Array(repeating: UInt8(index), count: 4_000)
            let put = try node.signPut(key: key, value: value, expectedVersion: nil).get()
            switch await node.submit(put) {
            case let .failure(error):
                refusal = error
            case .success:
                // The put that meets the full store stays pending: its block cannot be stored.
                if case .success = await node.wait(for: [put.id], depth: 1, timeout: .seconds(2)) { confirmed.append((key, value)) }
            }
            if refusal != nil { break }
        }
        guard case let .cannotStore(reason)? = refusal else {
            Issue.record("puts were not refused for want of room: \(String(describing: refusal))")
            await node.shutdown()
            return
        }
        #expect(reason.contains("No space left"), "\(reason)")
        #expect(confirmed.count >= 5, "only \(confirmed.count) puts fitted")
        #expect(node.view.storageFault != nil)
        for (key, value) in confirmed {
            #expect(try node.view.get(key).get().version.value == value, "\(key)")
        }

        // Room again: the node probes the store (every second) and takes puts again; the put
        // left pending is mined with them.
        capacity.set(100_000_000)
        let after = try node.signPut(key: "full/after", value: Array("room again".utf8), expectedVersion: nil).get()
        let deadline = ContinuousClock.now + .seconds(20)
        var accepted = false
        while !accepted && ContinuousClock.now < deadline {
            if case .success = await node.submit(after) { accepted = true } else { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(accepted, "puts were still refused with room in the store")
        guard case .success = await node.wait(for: [after.id], depth: 1, timeout: .seconds(10)) else {
            Issue.record("the put after the fault did not confirm")
            await node.shutdown()
            return
        }
        #expect(node.view.storageFault == nil)
        for (key, value) in confirmed {
            #expect(try node.view.get(key).get().version.value == value, "\(key)")
        }
        await node.shutdown()
    }
}
