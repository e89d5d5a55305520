import Foundation
import KeyChainTestProcesses
import Testing

/// The `--quick` mode of each experiment in `experiments/`, run on the binaries of this build:
/// each must finish, write its CSV with the expected columns, and the figures must be sane.
@Suite("Experiments, quick modes", .serialized)
struct ExperimentQuickTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `experiments/<script> --quick` into a fresh folder; returns the folder. Waits without
    /// holding a thread of the cooperative pool (it has one a core): an experiment runs for
    /// minutes, and a blocked pool stalled every other test in the process meanwhile.
    func run(_ script: String, seconds: Double = 600) async throws -> URL {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("keychain-experiment-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let process = Process()
        launch(process, "/usr/bin/python3", [
            Self.root.appendingPathComponent("experiments/\(script)").path, "--quick", "--no-plots", "--bin", Binaries.directory.path,
            "--out", out.path, "--work", out.appendingPathComponent("work").path,
        ])
        let log = out.appendingPathComponent("output.txt")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try Spawner.shared.run(process)
        do {
            try await eventually("experiments/\(script) to finish", seconds: seconds) { !process.isRunning }
        } catch {
            process.terminate()
            try await eventually("experiments/\(script) to stop", seconds: 30) { !process.isRunning }
        }
        try handle.close()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw ExperimentFailure(script: script, output: String(output.suffix(3_000)))
        }
        return out
    }

    /// A CSV's rows as column -> value.
    func rows(_ folder: URL, _ name: String, columns: [String]) throws -> [[String: String]] {
        let lines = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        let header = try #require(lines.first).split(separator: ",").map(String.init)
        for column in columns { #expect(header.contains(column), "\(name) lacks the column \(column)") }
        return lines.dropFirst().map { line in
            Dictionary(uniqueKeysWithValues: zip(header, Self.fields(line)))
        }
    }

    /// Splits a CSV line, honouring quotes.
    static func fields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        for character in line {
            if character == "\"" { quoted.toggle() } else if character == "," && !quoted {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }

    @Test("broadcast: messages per block within 1.2x of flooding's n(d-1), every put everywhere without loss, puts cheaper reconciled, bodies dominate full blocks")
    func broadcast() async throws {
        let folder = try await run("broadcast.py")
        let all = try rows(folder, "broadcast.csv", columns: ["nodes", "fanout", "loss", "relay", "tx_rate", "seed", "messages_per_block",
                                                                "flooding_per_item", "block_ratio", "put_ratio", "put_p95_ms", "p50_ms", "p95_ms",
                                                                "max_ms", "stale_rate", "bytes_per_block", "commit"])
        let table = all.filter { $0["tx_rate"] == "2" }
        let heavy = all.filter { $0["tx_rate"] != "2" }
        #expect(table.count == 20, "8 networks with the headers relay and with compact blocks, and push flooding on the 4 at k = 8")
        #expect(heavy.count == 3, "the network with bodies, under all three relays")
        for row in all {
            let stale = try #require(Double(row["stale_rate"] ?? ""))
            #expect((0...1).contains(stale))
            #expect(!(row["commit"] ?? "").isEmpty)
        }
        // With a hundred puts a block, bodies are what a block costs.
        let lightBytes = table.filter { $0["nodes"] == "100" && $0["fanout"] == "8" && $0["loss"] == "0.0" }.compactMap { Double($0["bytes_per_block"] ?? "") }
        for row in heavy {
            #expect((Double(row["bytes_per_block"] ?? "") ?? 0) > 2 * (lightBytes.max() ?? .infinity), "\(row)")
        }
        for row in table {
            let ratio = try #require(Double(row["block_ratio"] ?? ""))
            #expect(ratio > 0.3 && ratio <= 1.2, "n=\(row["nodes"] ?? "") k=\(row["fanout"] ?? "") \(row["relay"] ?? ""): \(ratio)x flooding")
            if row["loss"] == "0.0" { #expect(row["puts_everywhere"] == row["puts"]) }
            #expect((Double(row["p50_ms"] ?? "") ?? 0) > 0)
        }
        // The flood, measured: every put everywhere, and whole blocks over every link cost
        // more bytes than compact blocks on the same network.
        for flood in all where flood["relay"] == "flood" {
            if flood["loss"] == "0.0" { #expect(flood["puts_everywhere"] == flood["puts"]) }
            let compact = try #require(all.first { $0["relay"] == "compact" && $0["nodes"] == flood["nodes"] && $0["fanout"] == flood["fanout"]
                && $0["loss"] == flood["loss"] && $0["tx_rate"] == flood["tx_rate"] })
            #expect((Double(flood["bytes_per_block"] ?? "") ?? 0) > (Double(compact["bytes_per_block"] ?? "") ?? .infinity), "\(flood)")
        }
        // Compact blocks take one round trip a hop where headers, getdata and block take one and a half.
        for compact in table where compact["relay"] == "compact" && compact["loss"] == "0.0" {
            let older = try #require(table.first { $0["relay"] == "headers" && $0["loss"] == "0.0" && $0["nodes"] == compact["nodes"] && $0["fanout"] == compact["fanout"] })
            let faster = (Double(compact["p50_ms"] ?? "") ?? .infinity) < (Double(older["p50_ms"] ?? "") ?? 0)
            #expect(faster, "n=\(compact["nodes"] ?? "") k=\(compact["fanout"] ?? ""): p50 \(compact["p50_ms"] ?? "") ms compact, \(older["p50_ms"] ?? "") ms headers")
            // Puts announced on outbound links only and reconciled cost fewer messages than
            // puts announced on every link and re-offered every 5 s.
            let cheaper = (Double(compact["put_ratio"] ?? "") ?? .infinity) < (Double(older["put_ratio"] ?? "") ?? 0)
            #expect(cheaper, "n=\(compact["nodes"] ?? "") k=\(compact["fanout"] ?? ""): \(compact["put_ratio"] ?? "")x a put reconciled, \(older["put_ratio"] ?? "")x before")
            #expect((Double(compact["put_p95_ms"] ?? "") ?? 0) > 0)
        }
    }

    @Test("51% attack: a superseded version 6 deep rewritten on real processes, a key taken, an older key kept; q = 0.3, z = 2 matches the formula")
    func attack() async throws {
        let folder = try await run("attack.py")
        let real = try #require(try rows(folder, "attack-real-summary.csv", columns: [
            "outcome", "paid_status", "later_status", "ledger_after", "reorg_depth", "payment_depth_at_release", "share_measured",
            "deed_refusal", "new_key_owner",
        ]).first)
        #expect(real["outcome"] == "rewritten")
        #expect(real["paid_status"] == "evicted")
        #expect(real["ledger_after"]?.contains("never happened") == true)
        #expect((Int(real["payment_depth_at_release"] ?? "") ?? 0) >= 6)
        #expect((Int(real["reorg_depth"] ?? "") ?? 0) >= 6)
        // Nobody but its owner writes a key whose first version is older than the fork...
        #expect(real["deed_refusal"] != "(accepted)")
        // ...but a key first written after the fork is the majority's to take.
        #expect(real["new_key_owner"] == "attacker")
        let share = try #require(Double(real["share_measured"] ?? ""))
        #expect(share > 0.5, "the attacker sealed \(share) of the blocks with three quarters of the capped hash rate")
        let histories = try rows(folder, "attack-real.csv", columns: ["phase", "key", "version", "value"])
        let deed = histories.filter { $0["phase"] == "later" && $0["key"] == "victim/deed" }
        #expect(deed.first?["value"] == "deed: the victim's house")
        // The version written on top of the rewritten one still fits, and is mined again.
        #expect(real["later_status"] == "confirmed")
        let simulated = try rows(folder, "attack-sim.csv", columns: ["q", "z", "model", "runs", "rate", "stderr", "wilson_low", "wilson_high",
                                                                      "formula", "exact", "honest_stale_rate", "seeds", "commit"])
        for row in simulated {
            let (rate, low, high) = (Double(row["rate"] ?? "") ?? -1, Double(row["wilson_low"] ?? "") ?? 2, Double(row["wilson_high"] ?? "") ?? -1)
            #expect(low <= rate && rate <= high, "\(row)")
        }
        let point = try #require(simulated.first { $0["q"] == "0.3" && $0["z"] == "2" && $0["model"] == "formula-model" })
        let rate = try #require(Double(point["rate"] ?? ""))
        let error = try #require(Double(point["stderr"] ?? ""))
        #expect(abs(rate - 0.4457171) <= 3 * error, "simulated \(rate) ± \(error) against the formula's 0.4457")
        let releases = try rows(folder, "attack-release.csv", columns: ["honest_nodes_reorganised"])
        #expect(releases.allSatisfy { $0["honest_nodes_reorganised"] == "1" })
    }

    @Test("throughput: a run per difficulty in a steady-state window, probes timed to depth 1 and 6, the baseline with mining off")
    func throughput() async throws {
        let folder = try await run("throughput.py")
        let runs = try rows(folder, "throughput-runs.csv", columns: ["difficulty_bits", "run", "seed", "window_s", "confirmed_puts_per_s",
                                                                      "blocks", "blocks_poisson_low", "blocks_poisson_high", "hash_rate",
                                                                      "probes", "depth1_timed", "depth6_timed", "stale_rate", "converged",
                                                                      "commit", "machine"])
        #expect(runs.map { $0["difficulty_bits"] } == ["12", "15", "18"])
        for row in runs {
            #expect((Double(row["window_s"] ?? "") ?? 0) >= 5, "\(row)")
            let blocks = try #require(Double(row["blocks"] ?? ""))
            #expect(blocks >= 1, "\(row)")
            // The exact Poisson interval holds the count it was computed from.
            #expect((Double(row["blocks_poisson_low"] ?? "") ?? .infinity) <= blocks)
            #expect((Double(row["blocks_poisson_high"] ?? "") ?? 0) >= blocks)
            #expect((Int(row["probes"] ?? "") ?? 0) >= (Int(row["depth1_timed"] ?? "") ?? .max))
            #expect((Int(row["depth1_timed"] ?? "") ?? 0) >= (Int(row["depth6_timed"] ?? "") ?? .max))
            #expect((0...1).contains(try #require(Double(row["stale_rate"] ?? ""))))
        }
        // At 18 bits (a block every 0.44 s) the three nodes keep up on this debug build: puts
        // are confirmed in the window, and the probes are timed.
        let slowest = try #require(runs.last)
        #expect((Double(slowest["confirmed_puts_per_s"] ?? "") ?? 0) > 0, "\(slowest)")
        #expect((Int(slowest["depth1_timed"] ?? "") ?? 0) >= 1, "\(slowest)")
        let summary = try rows(folder, "throughput.csv", columns: ["difficulty_bits", "confirmed_puts_per_s", "bound_puts_per_s",
                                                                    "depth1_p50_s", "depth6_p50_s", "commit", "machine"])
        #expect(summary.count == 3)
        let baseline = try rows(folder, "throughput-baseline.csv", columns: ["ingest_puts_per_s_node0", "ingest_puts_per_s_all",
                                                                             "client_cpu_us_per_put", "node_cpu_us_per_put"])
        let ingest = try #require(baseline.first.flatMap { Double($0["ingest_puts_per_s_all"] ?? "") })
        #expect(ingest > 0)
        // The bound is the smaller of the ingest rate and a block's capacity over the interval.
        for row in summary { #expect((Double(row["bound_puts_per_s"] ?? "") ?? .infinity) <= ingest + 0.1, "\(row)") }
    }

    @Test("calibration: the same configuration on real processes behind delaying relays and in the simulator")
    func calibration() async throws {
        let folder = try await run("calibration.py")
        let table = try rows(folder, "calibration.csv", columns: ["source", "latency_ms", "blocks", "interval_s", "blocks_timed",
                                                                   "reach_all_p50_ms", "reach_all_p95_ms", "stale_rate", "commit", "machine"])
        #expect(Set(table.map { $0["source"] ?? "" }) == ["real", "simulator"])
        for row in table {
            #expect((Int(row["blocks_timed"] ?? "") ?? 0) >= 1, "\(row)")
            // A block reaches the other nodes over at least one link delayed by 30-70 ms.
            #expect((Double(row["reach_all_p50_ms"] ?? "") ?? 0) >= 30, "\(row)")
            #expect((0...1).contains(try #require(Double(row["stale_rate"] ?? ""))))
        }
    }

    @Test("etcd: both systems measured on every workload, etcd loses no acknowledged write and its leader's death costs an election",
          .enabled(if: getuid() == 0 || FileManager.default.isExecutableFile(atPath: "/usr/bin/etcd"), "installing etcd-server needs root"))
    func etcd() async throws {
        let folder = try await run("etcd.py")
        let table = try rows(folder, "etcd.csv", columns: ["system", "workload", "puts_per_s", "latency_p50_ms", "gap_ms", "baseline_gap_ms",
                                                            "lost_writes", "commit", "machine"])
        let measured = Set(table.map { "\($0["system"] ?? "") \($0["workload"] ?? "")" })
        #expect(measured == ["etcd sequential", "etcd pipelined", "etcd failover", "keychain sequential", "keychain depth1",
                             "keychain depth6", "keychain pipelined", "keychain failover"])
        for row in table where row["workload"] == "sequential" || row["workload"] == "pipelined" {
            #expect((Double(row["puts_per_s"] ?? "") ?? 0) > 0, "\(row)")
        }
        let depth1 = try #require(table.first { $0["workload"] == "depth1" }.flatMap { Double($0["latency_p50_ms"] ?? "") })
        let depth6 = try #require(table.first { $0["workload"] == "depth6" }.flatMap { Double($0["latency_p50_ms"] ?? "") })
        #expect(depth6 > depth1)
        let failover = try #require(table.first { $0["system"] == "etcd" && $0["workload"] == "failover" })
        #expect(failover["lost_writes"] == "0")
        // A new leader is elected after at least one election timeout (1 s by default).
        #expect((Double(failover["gap_ms"] ?? "") ?? 0) > (Double(failover["baseline_gap_ms"] ?? "") ?? .infinity))
        #expect(table.allSatisfy { !($0["commit"] ?? "").isEmpty && !($0["machine"] ?? "").isEmpty })
    }

    @Test("faults: every acknowledged write on every node, nothing refused anywhere, one compare-and-set winner per key, a fresh node joins from one peer",
          .enabled(if: getuid() == 0, "needs root for ip netns"))
    func faults() async throws {
        let folder = try await run("faults.py")
        let summary = try #require(try rows(folder, "faults-summary.csv", columns: [
            "acknowledged_confirmed", "found_on_every_node", "refused_or_unreachable_found", "keys_on_every_node", "keys_explained",
            "conflict_cas_versions_ok", "conflict_same_everywhere", "commit",
        ]).first)
        let acknowledged = try #require(Int(summary["acknowledged_confirmed"] ?? ""))
        #expect(acknowledged > 0)
        #expect(summary["found_on_every_node"] == summary["acknowledged_confirmed"])
        #expect(summary["refused_or_unreachable_found"] == "0")
        // Every key on every node is one of the writes (or a conflict key): nothing unexplained.
        #expect(summary["keys_on_every_node"] == summary["keys_explained"])
        #expect(summary["conflict_cas_versions_ok"] == "1")
        #expect(summary["conflict_same_everywhere"] == "1")
        let faults = try rows(folder, "faults.csv", columns: ["fault", "start_s", "end_s", "converge_s"])
        #expect(faults.count == 6)
        #expect(faults.last?["fault"]?.contains("fresh node") == true)
        let conflicts = try rows(folder, "faults-conflicts.csv", columns: ["key", "kind", "side", "confirmed_on_side", "final_status"])
        #expect(Set(conflicts.map { $0["side"] ?? "" }) == ["majority", "minority"])
        #expect(conflicts.allSatisfy { !($0["final_status"] ?? "").isEmpty })
    }
}

/// An experiment that exited with an error, with the end of what it printed.
struct ExperimentFailure: Error, CustomStringConvertible {
    let script: String
    let output: String
    var description: String { "experiments/\(script) --quick failed:\n\(output)" }
}
