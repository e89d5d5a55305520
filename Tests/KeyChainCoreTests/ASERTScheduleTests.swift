import Foundation
import KeyChainCore
import Testing

/// The retargeting rule against the published aserti3-2d reference runs and KeyChain's own
/// runs (Vectors/asert; where each came from: Vectors/README.md), and against the properties
/// KeyChain's parameters need.
@Suite struct ASERTScheduleTests {
    /// One run: its parameters, its anchor and every block's expected next target.
    struct Run: Sendable, CustomStringConvertible {
        let name: String
        let anchorHeight: UInt64
        let anchorParentTime: Int64
        let anchorBits: UInt32
        let interval: Int64
        let halfLife: Int64
        let easiestBits: UInt32
        let blocks: [(height: UInt64, time: Int64, nextBits: UInt32)]
        var description: String { name }
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Vectors").appendingPathComponent("asert")

    /// The reference runs (Bitcoin Cash's parameters) and KeyChain's own (milliseconds, 1 s
    /// blocks, a 30 s half-life, 2^255 the easiest target), read from the source tree; an
    /// unreadable file fails its test.
    static let runs: [String] = (1...10).map { String(format: "run%02d", $0) }
        + (1...8).map { String(format: "keychain-run%02d", $0) }

    static func load(_ name: String) throws -> Run {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        var header: [String: String] = [:]
        var blocks: [(UInt64, Int64, UInt32)] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("##"), let colon = line.firstIndex(of: ":") {
                let name = line[line.index(line.startIndex, offsetBy: 2)..<colon].trimmingCharacters(in: .whitespaces)
                header[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            } else if !line.hasPrefix("#") {
                let fields = line.split(separator: " ")
                let block = try #require(fields.count == 4 ? (UInt64(fields[1]), Int64(fields[2]), UInt32(fields[3].dropFirst(2), radix: 16)) : nil)
                blocks.append((try #require(block.0), try #require(block.1), try #require(block.2)))
            }
        }
        func bits(_ name: String) -> UInt32? { header[name].flatMap { UInt32($0.dropFirst(2), radix: 16) } }
        // A run that names no parameters has Bitcoin Cash's: 600 s blocks, a two-day
        // half-life, its proof-of-work limit.
        let run = Run(name: name, anchorHeight: try #require(header["anchor height"].flatMap { UInt64($0) }),
                      anchorParentTime: try #require(header["anchor ancestor time"].flatMap { Int64($0) }),
                      anchorBits: try #require(bits("anchor nBits")), interval: header["interval"].flatMap { Int64($0) } ?? 600,
                      halfLife: header["half-life"].flatMap { Int64($0) } ?? 172_800, easiestBits: bits("easiest nBits") ?? 0x1D00_FFFF,
                      blocks: blocks)
        #expect(blocks.count == Int(header["iterations"] ?? ""), "\(name): every iteration is listed")
        return run
    }

    @Test(arguments: runs) func everyRunIsReproducedExactly(_ name: String) throws {
        let run = try Self.load(name)
        let schedule = try ASERTSchedule(anchorHeight: run.anchorHeight, anchorParentTime: run.anchorParentTime,
                                         anchorTarget: try Target(compact: run.anchorBits), interval: run.interval,
                                         halfLife: run.halfLife, easiest: try Target(compact: run.easiestBits))
        var mismatches = 0
        for block in run.blocks where schedule.target(after: block.height, time: block.time).compact != block.nextBits {
            if mismatches < 3 {
                let got = String(schedule.target(after: block.height, time: block.time).compact, radix: 16)
                Issue.record("\(name) height \(block.height) time \(block.time): 0x\(got), expected 0x\(String(block.nextBits, radix: 16))")
            }
            mismatches += 1
        }
        #expect(mismatches == 0)
        #expect(!run.blocks.isEmpty)
    }

    /// KeyChain's own shape: millisecond times, 1 s blocks, a 30 s half-life, anchored at
    /// genesis (whose parent is taken to be one interval before it), easiest target 2^255.
    static func keyChain(bits: Int, genesisTime: Int64 = 1_700_000_000_000) throws -> ASERTSchedule {
        try ASERTSchedule(anchorHeight: 0, anchorParentTime: genesisTime - 1_000, anchorTarget: try Target(difficultyBits: bits),
                          interval: 1_000, halfLife: 30_000, easiest: try Target(difficultyBits: 1))
    }

    struct Step: Sendable, CustomStringConvertible {
        let description: String
        let bits: Int
        let height: UInt64
        /// Milliseconds after genesis.
        let offset: Int64
        let expectedBits: Int
    }

    /// Whole half-lives off the schedule move the target by whole powers of two, exactly.
    static let steps: [Step] = [
        .init(description: "on schedule", bits: 20, height: 500, offset: 500_000, expectedBits: 20),
        .init(description: "one half-life behind", bits: 20, height: 500, offset: 530_000, expectedBits: 19),
        .init(description: "one half-life ahead", bits: 20, height: 500, offset: 470_000, expectedBits: 21),
        .init(description: "ten half-lives ahead", bits: 20, height: 400, offset: 100_000, expectedBits: 30),
        .init(description: "at genesis's own time", bits: 16, height: 0, offset: 0, expectedBits: 16),
        .init(description: "behind at the easiest target", bits: 1, height: 10, offset: 3_000_000, expectedBits: 1),
        .init(description: "just under the easiest", bits: 2, height: 10, offset: 40_000, expectedBits: 1),
        .init(description: "a hundred half-lives ahead", bits: 8, height: 3_000, offset: 0, expectedBits: 108),
    ]

    @Test(arguments: steps) func wholeHalfLivesDoubleOrHalveTheTarget(_ step: Step) throws {
        let schedule = try Self.keyChain(bits: step.bits)
        let target = schedule.target(after: step.height, time: 1_700_000_000_000 + step.offset)
        #expect(target == (try Target(difficultyBits: step.expectedBits)))
    }

    @Test func aSlowBlockThenAFastOneReturnToTheSchedule() throws {
        let schedule = try Self.keyChain(bits: 20)
        let start: Int64 = 1_700_000_000_000
        // 300 ms then 1,700 ms: two blocks in two intervals, back on schedule.
        #expect(schedule.target(after: 1, time: start + 300) != (try Target(difficultyBits: 20)))
        #expect(schedule.target(after: 2, time: start + 2_000) == (try Target(difficultyBits: 20)))
    }

    @Test func theTargetNeverFallsAsBlocksComeLater() throws {
        let schedule = try Self.keyChain(bits: 24)
        var previous = schedule.target(after: 100, time: 1_700_000_000_000)
        for offset in stride(from: Int64(1_000), through: 400_000, by: 7_919) {
            let target = schedule.target(after: 100, time: 1_700_000_000_000 + offset)
            #expect(target.value >= previous.value, "offset \(offset)")
            previous = target
        }
    }

    /// Whatever a header claims, the rule answers a valid target: no trap, no overflow.
    @Test func extremeInputsEndAtTheBounds() throws {
        let schedule = try Self.keyChain(bits: 20)
        let easiest = try Target(difficultyBits: 1)
        let one = try Target(compact: 0x0101_0000)
        #expect(schedule.target(after: 5, time: .max) == easiest)
        #expect(schedule.target(after: .max, time: .min) == one)
        #expect(schedule.target(after: .max, time: .max) == one)
        #expect(schedule.target(after: 0, time: .min) == one)
        // A height before the anchor counts as the anchor's.
        #expect(schedule.target(after: 0, time: 1_700_000_000_000) == (try Target(difficultyBits: 20)))
        let wide = try ASERTSchedule(anchorHeight: 0, anchorParentTime: 0, anchorTarget: easiest, interval: .max,
                                     halfLife: .max, easiest: easiest)
        #expect(wide.target(after: .max, time: .max) == one)
        #expect(wide.target(after: 0, time: .max) == easiest)
    }

    @Test func nonPositiveIntervalsAreRefused() throws {
        let target = try Target(difficultyBits: 8)
        #expect(throws: ASERTScheduleError.intervalNotPositive(0)) {
            try ASERTSchedule(anchorHeight: 0, anchorParentTime: 0, anchorTarget: target, interval: 0, halfLife: 1, easiest: target)
        }
        #expect(throws: ASERTScheduleError.halfLifeNotPositive(-5)) {
            try ASERTSchedule(anchorHeight: 0, anchorParentTime: 0, anchorTarget: target, interval: 1, halfLife: -5, easiest: target)
        }
    }
}
