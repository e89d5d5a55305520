import Dispatch
import Foundation
import KeyChainChain
import KeyChainCore
import Synchronization
import Testing

/// The one place a node verifies signatures off the owner: batches land in the cache, and a
/// sync's bulk, at nice +10, never holds up what a client or the miner waits for.
@Suite struct VerificationServiceTests {
    @Test func aBatchIsVerifiedIntoTheCacheBeforeItsCompletionRuns() throws {
        let puts = try SignatureCacheTests.puts(200, forgedAt: 77)
        let service = VerificationService(cache: SignatureCache())
        let done = DispatchSemaphore(value: 0)
        service.verify(puts, .tip) { done.signal() }
        #expect(done.wait(timeout: .now() + 60) == .success, "the completion never ran")
        // The good ones are cached; the forged one is not, so the chain's check refuses it.
        #expect(service.cache.uncached(puts).map(\.id) == [puts[77].id])
        // Nothing left to verify: the completion runs at once.
        let again = Atomic<Bool>(false)
        service.verify(Array(puts[0..<10]), .sync) { again.store(true, ordering: .relaxed) }
        let ranAtOnce = again.load(ordering: .relaxed)
        #expect(ranAtOnce)
    }

    @Test func syncWorkNeverHoldsUpTipWork() throws {
        let puts = try SignatureCacheTests.puts(64, forgedAt: -1)
        let service = VerificationService(cache: SignatureCache())
        // Every sync thread busy, and more sync work queued behind them.
        let gate = DispatchSemaphore(value: 0)
        let syncJobs = CoreBudget.machine.syncVerifiers + 2
        let syncFinished = Atomic<Int>(0)
        for _ in 0..<syncJobs {
            service.run(.sync) {
                gate.wait()
                syncFinished.add(1, ordering: .relaxed)
            }
        }
        let done = DispatchSemaphore(value: 0)
        service.verify(puts, .tip) { done.signal() }
        let inTime = done.wait(timeout: .now() + 60) == .success
        let finishedMeanwhile = syncFinished.load(ordering: .relaxed)
        for _ in 0..<syncJobs { gate.signal() }
        #expect(inTime, "tip work waited for sync work")
        #expect(finishedMeanwhile == 0)
        #expect(service.cache.uncached(puts).isEmpty)
        let deadline = Date().addingTimeInterval(60)
        while syncFinished.load(ordering: .relaxed) < syncJobs && Date() < deadline { _ = done.wait(timeout: .now() + .milliseconds(10)) }
        let finished = syncFinished.load(ordering: .relaxed)
        #expect(finished == syncJobs)
    }

    @Test func syncThreadsRunAtNiceTenAndTipThreadsAtTheProcesssPriority() throws {
        let service = VerificationService(cache: SignatureCache())
        // Both classes started (their threads are made on first use).
        let started = DispatchSemaphore(value: 0)
        service.run(.tip) { started.signal() }
        service.run(.sync) { started.signal() }
        #expect(started.wait(timeout: .now() + 60) == .success && started.wait(timeout: .now() + 60) == .success)
        // Relative to this thread's, which is the process's (a run under `nice` shifts both).
        let base = Int(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
        // A thread names itself and sets its priority as it starts, which may come after its
        // first job ran: look again until both are as expected or 30 s pass (a loaded CI run
        // once saw no sync thread yet).
        var nice: [String: Set<Int>] = [:]
        let deadline = Date().addingTimeInterval(30)
        repeat {
            nice = [:]
            for task in try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") {
                guard let name = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8),
                      name.hasPrefix("verifier."),
                      let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { continue }
                // Fields after the command's closing parenthesis: state is field 3, nice field 19.
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                guard fields.count > 16, let value = Int(fields[16]) else { continue }
                nice[name.hasPrefix("verifier.sync") ? "sync" : "tip", default: []].insert(value)
            }
            if nice["sync"] == [min(base + 10, 19)] && nice["tip"] == [base] { break }
            _ = started.wait(timeout: .now() + .milliseconds(20))
        } while Date() < deadline
        #expect(nice["sync"] == [min(base + 10, 19)], "\(nice)")
        #expect(nice["tip"] == [base], "\(nice)")
    }
}
