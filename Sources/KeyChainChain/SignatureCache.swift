import Dispatch
import Foundation
import KeyChainCore
import NIOConcurrencyHelpers

/// Remembers which transactions' signatures were verified, so a transaction checked when it
/// entered the mempool is not checked again in a block, and verifies the rest in parallel.
public final class SignatureCache: Sendable {
    private struct State {
        var verified: Set<VerifiedSignature> = []
        var order: [VerifiedSignature] = []
        var head = 0
    }

    private let state = NIOLockedValueBox(State())
    private let capacity: Int
    private let workers: Int

    /// A cache of at most `capacity` txids, verifying on `workers` threads.
    public init(capacity: Int = 500_000, workers: Int = CoreBudget.machine.blockCheckWorkers) {
        self.capacity = max(capacity, 1)
        self.workers = max(workers, 1)
    }

    /// Whether `transaction`'s signature is valid; verifies it unless it is cached.
    public func isValid(_ transaction: Transaction) -> Bool {
        if contains(transaction) { return true }
        guard transaction.hasValidSignature else { return false }
        insert([VerifiedSignature(transaction)])
        return true
    }

    /// Verifies those of `transactions` not cached yet, as one batch (a fifth cheaper each
    /// than one at a time), and caches the good ones.
    public func verify(_ transactions: some Collection<Transaction>) {
        let unchecked = uncached(transactions)
        guard !unchecked.isEmpty else { return }
        let valid = Transaction.validSignatures(unchecked)
        insert(unchecked.indices.filter { valid[$0] }.map { VerifiedSignature(unchecked[$0]) })
    }

    /// The index of the first transaction with a bad signature, or nil if all are good.
    /// Uncached signatures are verified in parallel, a batch a worker.
    public func firstInvalid(in transactions: [Transaction]) -> Int? {
        let unchecked = transactions.indices.filter { !contains(transactions[$0]) }
        guard !unchecked.isEmpty else { return nil }
        let results = UnsafeResults(count: unchecked.count)
        let chunks = min(workers, unchecked.count)
        let chunkSize = (unchecked.count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let positions = min(chunk * chunkSize, unchecked.count)..<min((chunk + 1) * chunkSize, unchecked.count)
            let valid = Transaction.validSignatures(positions.map { transactions[unchecked[$0]] })
            for (offset, position) in positions.enumerated() { results.set(position, valid[offset]) }
        }
        var good: [VerifiedSignature] = []
        var firstBad: Int?
        for (position, index) in unchecked.enumerated() {
            if results.get(position) { good.append(VerifiedSignature(transactions[index])) } else if firstBad == nil { firstBad = index }
        }
        insert(good)
        return firstBad
    }

    /// Those of `transactions` whose signatures are not cached, in order (one lock for all).
    public func uncached(_ transactions: some Collection<Transaction>) -> [Transaction] {
        let keys = transactions.map { VerifiedSignature($0) }
        let known = state.withLockedValue { state in keys.map { state.verified.contains($0) } }
        return zip(transactions, known).compactMap { $1 ? nil : $0 }
    }

    private func contains(_ transaction: Transaction) -> Bool {
        state.withLockedValue { $0.verified.contains(VerifiedSignature(transaction)) }
    }

    private func insert(_ ids: [VerifiedSignature]) {
        state.withLockedValue { state in
            for id in ids where state.verified.insert(id).inserted {
                if state.order.count < capacity {
                    state.order.append(id)
                } else {
                    state.verified.remove(state.order[state.head])
                    state.order[state.head] = id
                    state.head = (state.head + 1) % capacity
                }
            }
        }
    }
}

/// The cache key: the txid does not cover the signature, so a cached txid alone would let a
/// forged signature on a known transaction through, and split this node from the network.
/// Kept as 16 bytes of SHA-256d over the txid and the signature, not the 96 bytes themselves:
/// at the cache's 500,000 entries (held in a set and a ring) that is about 20 MB, not 110.
/// Passing a forged signature would take a second preimage of 128 bits.
private struct VerifiedSignature: Hashable {
    let high: UInt64
    let low: UInt64
    init(_ transaction: Transaction) {
        var bytes = [UInt8](repeating: 0, count: 96)
        bytes.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            transaction.id.raw.write(to: base)
            transaction.signature.r.write(to: base + 32)
            transaction.signature.s.write(to: base + 64)
        }
        let digest = Hash256(sha256d: bytes).raw
        high = digest.w0
        low = digest.w1
    }
}

/// A results buffer that concurrentPerform's workers write at disjoint indices. Raw memory,
/// not an array: each worker's `withUnsafeMutableBufferPointer` on one shared array checked it
/// for uniqueness while another held it, copied it, and freed the copy under the other (a
/// crash of the node in a debug build's import).
private final class UnsafeResults: @unchecked Sendable {
    private let values: UnsafeMutableBufferPointer<Bool>
    init(count: Int) {
        values = .allocate(capacity: max(count, 1))
        values.initialize(repeating: false)
    }
    deinit { values.deallocate() }
    func set(_ index: Int, _ value: Bool) { values[index] = value }
    func get(_ index: Int) -> Bool { values[index] }
}
