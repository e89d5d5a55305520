import Foundation
import KeyChainSimulator
import KeyChainTestSupport
import Testing

extension SimulatorSuites {
    @Suite struct ScenarioFileTests {
        static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../experiments/scenarios").standardized

        func write(_ text: String) throws -> (TemporaryDirectory, String) {
            let directory = try TemporaryDirectory()
            let path = directory.file("scenario.json")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return (directory, path)
        }

        @Test func everyShippedScenarioLoads() throws {
            let files = try FileManager.default.contentsOfDirectory(atPath: Self.scenarios.path).filter { $0.hasSuffix(".json") }
            #expect(files.count >= 5)
            for file in files {
                #expect(throws: Never.self, "\(file)") { try Scenario.load(Self.scenarios.appendingPathComponent(file).path) }
            }
        }

        /// Rows: a bad file, and what the error must say.
        @Test(arguments: [
            (#"{"nodes": 10, "durationSecs": 5}"#, "unknown field \"durationSecs\""),
            (#"{"nodes": "ten"}"#, "nodes"),
            (#"{"nodes": 10, "events": [{"at": 1, "crash": 12}]}"#, "node 12"),
            (#"{"nodes": 10, "events": [{"at": 1, "crash": 2, "heal": true}]}"#, "exactly one of"),
            (#"{"nodes": 10, "events": [{"at": 99, "heal": true}]}"#, "outside the run"),
            (#"{"loss": 2}"#, "loss must be between 0 and 1"),
            (#"{"nodes": 3, "events": [{"at": 1, "hashShares": [0.5, 0.6, 0]}]}"#, "sum to 1"),
            (#"{"nodes": 10"#, "not a valid scenario"),
        ])
        func badFilesAreRefusedWithAReason(text: String, reason: String) throws {
            let (directory, path) = try write(text)
            defer { _ = directory }
            do {
                _ = try Scenario.load(path)
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.description.contains(reason), "\(error.description)")
            }
            #expect(throws: ScenarioError.unreadable(directory.file("missing.json"))) { try Scenario.load(directory.file("missing.json")) }
        }

        /// The user story: a scenario file with a partition that heals and puts on both sides
        /// runs to one tip with every put on every node, and the same seed gives the same report.
        @Test func aScenarioFileRunsAndReplays() throws {
            let (directory, path) = try write("""
                {"nodes": 8, "putsPerSecond": 2, "durationSeconds": 20, "settleSeconds": 10, "seed": 9,
                 "events": [{"at": 3, "partition": [[0, 1, 2, 3], [4, 5, 6, 7]]}, {"at": 12, "heal": true}, {"at": 5, "crash": 6}, {"at": 9, "restart": 6}]}
                """)
            defer { _ = directory }
            let scenario = try Scenario.load(path)
            let first = try scenario.run(), second = try scenario.run()
            #expect(first.tips == 1)
            #expect(first.puts == 40)
            #expect(first.putsEverywhere == first.puts)
            #expect(first.csv == second.csv)
            #expect(first.messagesSent == second.messagesSent)
            #expect(first.csv.hasPrefix("block,mined_at_ms,miner,height,nodes_reached,p50_ms,p95_ms,max_ms,expected_interval_ms,best\n"))
        }
    }
}
