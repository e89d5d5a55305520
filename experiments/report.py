#!/usr/bin/env python3
"""Builds experiments/report.pdf from experiments/REPORT.md and the committed results: every
`{{name}}` in the text is a figure read from experiments/results/*.csv, and `{{table:name}}` a
table, so a rerun of an experiment updates the report. Installs pandoc and weasyprint from
Debian if they are missing.

    python3 experiments/report.py          # writes experiments/report.pdf (and build/report.html)"""

import csv
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import attack_sim  # noqa: E402  (the exact race probability, for the corrected share)
import broadcast as broadcast_experiment  # noqa: E402  (the seeds' medians)
RESULTS = os.path.join(HERE, "results")


def read(name):
    with open(os.path.join(RESULTS, name)) as handle:
        return list(csv.DictReader(handle))


def number(value, digits=0):
    value = float(value)
    return f"{value:,.{digits}f}"


def median_range(data, digits=0):
    """A figure over runs: the median and, unless every run agrees, the range (low-high)."""
    data = sorted(float(value) for value in data)
    if not data:
        return "n/a"
    middle = number(data[len(data) // 2], digits)
    return middle if data[0] == data[-1] else f"{middle} ({number(data[0], digits)}-{number(data[-1], digits)})"


def table(rows, columns, headers):
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---:" for _ in headers) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(column(row)) if callable(column) else str(row[column]) for column in columns) + " |")
    return "\n".join(lines)


def figures():
    values, tables = {}, {}
    # Faults.
    # Faults: the prose quotes the first run, the tables every run.
    summaries = read("faults-summary.csv")
    values.update({f"faults.{key}": value for key, value in summaries[0].items()})
    values["faults.runs"] = str(len(summaries))
    faults = read("faults.csv")
    for index, fault in enumerate(row for row in faults if row.get("run", "1") == "1"):
        values[f"faults.converge{index}"] = fault["converge_s"]
    def converge(name):
        data = sorted(float(row["converge_s"]) for row in faults if row["fault"] == name)
        return f"{data[len(data) // 2]:.2f} ({data[0]:.2f}-{data[-1]:.2f})" if len(data) > 1 else f"{data[0]:.2f}"
    tables["faults"] = table([dict(row, converge=converge(row["fault"])) for row in faults if row.get("run", "1") == "1"],
                             ["fault", "start_s", "end_s", "converge"],
                             ["fault", "from (s)", "to (s)", "one chain again after (s): median (range) of the runs"])
    tables["faults_runs"] = table(summaries, ["run", "writes", "acknowledged_confirmed", "found_on_every_node", "remined_in_another_block",
                                              "undone_depth_max", "lost_before_acknowledgement", "conflict_confirmed_then_lost",
                                              lambda row: f"{row['keys_on_every_node']} / {row['keys_explained']}", "gap_max_s",
                                              "gap_fault_max_s"],
                                  ["run", "writes", "acknowledged", "found on every node", "undone, re-mined", "deepest undone",
                                   "lost before acknowledgement", "conflicting writes lost", "keys / explained", "longest gap (s)",
                                   "longest gap in a fault (s)"])
    conflicts = [row for row in read("faults-conflicts.csv") if row.get("run", "1") == "1"]
    grouped = []
    for kind in ("cas", "plain"):
        for side in ("majority", "minority"):
            chosen = [row for row in conflicts if row["kind"] == kind and row["side"] == side]
            if not chosen:
                continue
            statuses = sorted({row["final_status"] for row in chosen})
            grouped.append({"kind": "compare-and-set" if kind == "cas" else "plain", "side": side, "writes": len(chosen),
                            "confirmed": sum(int(row["confirmed_on_side"]) for row in chosen),
                            "deepest": max(int(row["max_depth_on_side"]) for row in chosen),
                            "kept": sum(row["final_version"] != "" for row in chosen),
                            "version": "/".join(sorted({row["final_version"] or "-" for row in chosen})),
                            "status": ", ".join(statuses)})
    tables["faults_conflicts"] = table(grouped, ["kind", "side", "writes", "confirmed", "deepest", "kept", "version", "status"],
                                       ["writes", "side", "count", "confirmed on their side", "deepest there", "in the final history",
                                        "version", "final status"])
    example = next((row for row in conflicts if row["kind"] == "cas" and row["final_status"] != "confirmed"), None)
    values["faults.conflict_reason"] = re.sub(r"\b([0-9a-f]{8})[0-9a-f]{56}\b", r"\1…", example["final_reason"]) if example else "n/a"
    plain = next((row for row in conflicts if row["kind"] == "plain"), None)
    values["faults.plain_history"] = plain["history_on_node0"] if plain else "n/a"
    winner = next((row["side"] for row in conflicts if row["kind"] == "cas" and row["final_version"] == "1"), "n/a")
    values["faults.conflict_winner"] = winner
    # Throughput: a row a difficulty (medians of 5 runs, ranges, intervals), the baseline runs.
    rows = read("throughput.csv")
    runs = read("throughput-runs.csv")
    baselines = read("throughput-baseline.csv")
    spread = median_range
    values["throughput.runs"] = rows[0]["runs"]
    values["throughput.probes_min"] = number(min(float(row["probes"]) for row in rows))
    values["throughput.ingest"] = spread(row["ingest_puts_per_s_all"] for row in baselines)
    values["throughput.ingest_node0"] = spread(row["ingest_puts_per_s_node0"] for row in baselines)
    values["throughput.client_us"] = spread((row["client_cpu_us_per_put"] for row in baselines), 1)
    values["throughput.node_us"] = spread((row["node_cpu_us_per_put"] for row in baselines), 1)
    values["throughput.client_cores"] = spread((row["client_cpu_cores"] for row in baselines), 2)
    values["throughput.baseline_puts"] = number(baselines[0]["puts"])
    ingest = sorted(float(row["ingest_puts_per_s_all"]) for row in baselines)[len(baselines) // 2]
    peak = max(rows, key=lambda row: float(row["confirmed_puts_per_s"]))
    values["throughput.peak"] = number(peak["confirmed_puts_per_s"])
    values["throughput.peak_range"] = f"{number(peak['puts_per_s_min'])}-{number(peak['puts_per_s_max'])}"
    values["throughput.peak_bits"] = peak["difficulty_bits"]
    values["throughput.peak_of_ingest"] = f"{float(peak['confirmed_puts_per_s']) / ingest:.2f}"
    values["throughput.peak_puts_per_block"] = number(peak["puts_per_block"])
    values["throughput.capacity"] = number(runs[0]["block_capacity"])
    apart = [row for row in rows if row["converged_runs"] != row["runs"]]
    values["throughput.unconverged"] = ", ".join(f"{row['difficulty_bits']} ({row['converged_runs']} of {row['runs']} runs on one tip)"
                                                 for row in apart) or "none"
    values["throughput.unconverged_intervals"] = (f"{float(apart[0]['expected_interval_s']) * 1000:.1f}-{float(apart[-1]['expected_interval_s']) * 1000:.0f} ms"
                                                  if apart else "n/a")
    low_rows = [row for row in rows if float(row["confirmed_puts_per_s"]) < 0.1 * float(peak["confirmed_puts_per_s"])
                and int(row["difficulty_bits"]) < int(peak["difficulty_bits"])]
    values["throughput.collapsed"] = ", ".join(f"{row['difficulty_bits']} bits: {number(row['confirmed_puts_per_s'])} puts/s" for row in low_rows) or "none"
    # The bound again at the hash rate the nodes reported (below the caps): block capacity over
    # the interval that rate gives.
    for row in rows:
        measured_interval = 2 ** int(row["difficulty_bits"]) / max(float(row["hash_rate"]), 1)
        row["bound_measured"] = min(ingest, float(runs[0]["block_capacity"]) / measured_interval)
    # The block-bound difficulties: where capacity over the interval is below the ingest rate.
    bound = [row for row in rows if float(row["bound_puts_per_s"]) < ingest]
    values["throughput.block_bound"] = "; ".join(
        f"{row['difficulty_bits']} bits: {number(row['confirmed_puts_per_s'])} puts/s (95% interval from the block count "
        f"{number(row['puts_per_s_poisson_low'])}-{number(row['puts_per_s_poisson_high'])}) against a bound of {number(row['bound_puts_per_s'])} "
        f"at the caps and {number(row['bound_measured'])} at the hash rate the nodes reported"
        for row in bound) or "none"
    if bound:
        first_bound = bound[0]
        values["throughput.bb_bits"] = first_bound["difficulty_bits"]
        values["throughput.bb_interval"] = f"{float(first_bound['block_interval_mean_s']):.2f}"
        values["throughput.bb_interval_hash"] = f"{2 ** int(first_bound['difficulty_bits']) / float(first_bound['hash_rate']):.2f}"
        values["throughput.bb_stale"] = f"{float(first_bound['stale_rate']):.3f}"
    values["throughput.block_bound_bits"] = ", ".join(row["difficulty_bits"] for row in bound) or "none"
    last = rows[-1]
    values["throughput.last_bits"] = last["difficulty_bits"]
    values["throughput.last_blocks"] = last["blocks"]
    values["throughput.last_interval"] = last["block_interval_mean_s"]
    values["throughput.last_expected"] = last["expected_interval_s"]
    values["throughput.last_puts_per_block"] = number(last["puts_per_block"])
    values["throughput.hash_rate"] = spread(row["hash_rate"] for row in rows)
    values["throughput.hash_cap"] = number(runs[0]["hash_rate_cap"])
    values["throughput.node_cores"] = spread((row["node_cpu_cores"] for row in rows), 2)
    values["throughput.client_cores_window"] = spread((row["client_cpu_cores"] for row in rows), 2)
    converged = [row for row in rows if row["converged_runs"] == row["runs"]]
    first = converged[0] if converged else rows[-1]
    values["throughput.first_converged_bits"] = first["difficulty_bits"]
    values["throughput.first_converged_stale"] = f"{float(first['stale_rate']):.3f}"
    values["throughput.first_converged_interval"] = first["block_interval_mean_s"]
    values["throughput.stale_last"] = f"{float(last['stale_rate']):.3f}"
    for name, row in (("peak", peak), ("last", last)):
        values[f"throughput.{name}_d1"] = row["depth1_p50_s"]
        values[f"throughput.{name}_d1_ci"] = f"{row['depth1_p50_low']}-{row['depth1_p50_high']}"
        values[f"throughput.{name}_d6"] = row["depth6_p50_s"]
        values[f"throughput.{name}_d6_ci"] = f"{row['depth6_p50_low']}-{row['depth6_p50_high']}"
    def with_range(row, column, minimum, maximum, digits=0):
        return f"{number(row[column], digits)} ({number(row[minimum], digits)}-{number(row[maximum], digits)})"
    tables["throughput"] = table(rows, ["difficulty_bits", lambda row: f"{row['converged_runs']}/{row['runs']}",
                                        lambda row: with_range(row, "confirmed_puts_per_s", "puts_per_s_min", "puts_per_s_max"),
                                        lambda row: f"{number(row['puts_per_s_poisson_low'])}-{number(row['puts_per_s_poisson_high'])}",
                                        lambda row: f"{number(row['bound_puts_per_s'])} / {number(row['bound_measured'])}", "blocks", lambda row: number(row["puts_per_block"]),
                                        lambda row: with_range(row, "block_interval_mean_s", "block_interval_min_s", "block_interval_max_s", 3),
                                        "expected_interval_s",
                                        lambda row: with_range(row, "stale_rate", "stale_rate_min", "stale_rate_max", 3),
                                        lambda row: number(row["hash_rate"])],
                                 ["bits", "on one tip", "puts/s, median (range)", "95% from blocks", "bound: caps / measured H/s", "blocks", "puts a block",
                                  "interval (s), median (range)", "expected (s)", "stale rate", "hash rate (H/s)"])
    # Little's law on each run's window: the backlog waiting at node 0 over the rate it drains,
    # the wait of a put that arrives behind it (the median over the runs).
    for row in rows:
        waits = [float(run["mempool_median"]) / float(run["confirmed_puts_per_s"]) for run in runs
                 if run["difficulty_bits"] == row["difficulty_bits"] and run["mempool_median"] and float(run["confirmed_puts_per_s"]) > 0]
        # Only where the nodes agree: below, the backlog waits at a node the others outrun.
        row["little"] = f"{sorted(waits)[len(waits) // 2]:,.1f}" if waits and row["converged_runs"] == row["runs"] else "-"
        row["d1_timed"] = str(sum(int(run["depth1_timed"]) for run in runs if run["difficulty_bits"] == row["difficulty_bits"]))
    # The difficulty where the most probes were still waiting when their runs ended.
    censored = min(rows, key=lambda row: int(row["d1_timed"]) / max(int(row["probes"]), 1))
    values["throughput.censored_bits"] = censored["difficulty_bits"]
    for name, row in (("peak", peak), ("last", last), ("censored", censored)):
        values[f"throughput.{name}_little"] = row["little"]
        values[f"throughput.{name}_timed"] = row["d1_timed"]
        values[f"throughput.{name}_probes"] = row["probes"]
    tables["throughput_latency"] = table(rows, ["difficulty_bits", "probes", "d1_timed", lambda row: f"{row['depth1_p50_s']} ({row['depth1_p50_low']}-{row['depth1_p50_high']})",
                                                "depth1_p95_s", "depth1_p99_s", "depth6_timed",
                                                lambda row: f"{row['depth6_p50_s']} ({row['depth6_p50_low']}-{row['depth6_p50_high']})" if row["depth6_p50_s"] else "-",
                                                lambda row: row["depth6_p95_s"] or "-", "little", "propagation_p95_ms"],
                                         ["bits", "probes", "timed to depth 1", "depth 1 p50 (95% CI), s", "p95 (s)", "p99 (s)", "timed to depth 6",
                                          "depth 6 p50 (95% CI), s", "p95 (s)", "backlog / rate (s)", "propagation p95 (ms)"])
    # Where the nodes kept up (every run on one tip), the propagation to all three.
    kept_up = [row for row in converged if row["propagation_p95_ms"]]
    values["throughput.propagation_p95_max"] = number(max(float(row["propagation_p95_ms"]) for row in kept_up), 1) if kept_up else "n/a"
    values["throughput.kept_up_bits"] = kept_up[0]["difficulty_bits"] if kept_up else "n/a"
    values["throughput.kept_up_puts_per_block"] = number(round(max(float(row["puts_per_block"]) for row in kept_up), -2)) if kept_up else "n/a"
    # The attack, real: a row a run.
    runs = read("attack-real-summary.csv")
    rewritten = [row for row in runs if row["outcome"] == "rewritten"]
    nominal = sorted({row["share_nominal"] for row in runs}, key=float)
    values["attack.runs"] = str(len(runs))
    values["attack.rewritten"] = str(len(rewritten))
    values["attack.difficulty"] = runs[0]["difficulty"]
    ranged = median_range
    for label, share in (("bare", nominal[0]), ("high", nominal[-1])):
        values[f"attack.{label}"] = share
        values[f"attack.{label}_measured"] = ranged([float(row["share_measured"]) for row in runs if row["share_nominal"] == share and row.get("share_measured")], 2)
        values[f"attack.{label}_seconds"] = ranged([float(row["private_seconds"]) for row in runs if row["share_nominal"] == share and row.get("private_seconds")])
    values["attack.runs_each"] = str(sum(row["share_nominal"] == nominal[0] for row in runs))
    values["attack.low_together"] = "; ".join(
        f"{row['attacker_mined_together']} of {int(row['attacker_mined_together']) + int(row['honest_mined_together'])}"
        for row in runs if row["share_nominal"] == nominal[0] and row.get("attacker_mined_together"))
    sealed = sum(int(row["honest_mined_private"]) for row in rewritten)
    kept = sum(int(row["honest_height"]) - int(row["fork_height"]) for row in rewritten)
    values["attack.honest_sealed_private"], values["attack.honest_kept_private"] = str(sealed), str(kept)
    values["attack.measured_list"] = ", ".join(
        f"q = {ranged([float(row['share_measured']) for row in runs if row['share_nominal'] == share and row.get('share_measured')], 2)}"
        f" with {share} of the caps" for share in nominal)
    values["attack.reorg_depths"] = ranged([float(row["reorg_depth"]) for row in rewritten])
    values["attack.payment_depths"] = ranged([float(row["payment_depth_at_release"]) for row in rewritten])
    values["attack.reorganised_seconds"] = ranged([float(row["reorganised_seconds"]) for row in rewritten], 2)
    values["attack.later_confirmed"] = str(sum(row["later_status"] == "confirmed" for row in rewritten))
    values["attack.renewed_confirmed"] = str(sum(row["renewed_status"] == "confirmed" for row in rewritten))
    values["attack.keys_taken"] = str(sum(row["new_key_owner"] == "attacker" for row in rewritten))
    example = rewritten[0] if rewritten else runs[0]
    for column in ("paid_reason", "created_reason", "deed_refusal", "ledger_before", "ledger_after", "share_nominal", "run"):
        values[f"attack.{column}"] = re.sub(r"\b([0-9a-f]{8})[0-9a-f]{56}\b", r"\1…", example.get(column, "n/a"))
    tables["attack_real"] = table(runs, ["share_nominal", "run", lambda row: f"{row.get('share_measured', '')} ({row.get('share_low', '')}-{row.get('share_high', '')})",
                                         lambda row: f"{row.get('attacker_mined_private', '')} / {row.get('honest_mined_private', '')}",
                                         "private_seconds", "payment_depth_at_release", "reorg_depth", "outcome", "later_status", "new_key_owner"],
                                  ["q (caps)", "run", "q measured (95%)", "blocks sealed in private: attacker / honest", "private (s)",
                                   "payment depth at release", "blocks undone", "outcome", "version 2", "`victim/new` owner"])
    histories = [row for row in read("attack-real.csv") if row["share_nominal"] == example["share_nominal"] and row["run"] == example["run"]]
    def versions(key, phase):
        return "; ".join(f"v{row['version']} {row['value']}" for row in histories if row["key"] == key and row["phase"] == phase) or "(none)"
    tables["attack_history"] = table([{"key": f"`{key}`", "before": versions(key, "before"), "after": versions(key, "right after"),
                                       "later": versions(key, "later")} for key in ("ledger/balance", "victim/deed", "victim/new")],
                                     ["key", "before", "after", "later"],
                                     ["key", "before the release", "right after the reorganisation", "once the returned puts are mined"])
    # The attack, simulated.
    sim = read("attack-sim.csv")
    def pick(q, z, model):
        return next(row for row in sim if float(row["q"]) == q and int(row["z"]) == z and row["model"] == model)
    shares = sorted({float(row["q"]) for row in sim})
    coarse = [q for q in shares if abs(q * 10 - round(q * 10)) < 1e-9]
    rows_z = []
    for q in coarse:
        for z in (2, 5, 10):
            f, p = pick(q, z, "formula-model"), pick(q, z, "protocol-rule")
            rows_z.append({"q": q, "z": z, "formula": f"{float(f['formula']):.4f}", "model": f"{float(f['rate']):.3f} ± {float(f['stderr']):.3f}",
                           "rule": f"{float(p['rate']):.3f} ± {float(p['stderr']):.3f}", "runs": f["runs"]})
    tables["attack_sim"] = table(rows_z, ["q", "z", "formula", "model", "rule", "runs"],
                                 ["q", "z", "formula", "formula's model (± s.e.)", "protocol's rule (± s.e.)", "runs"])
    below = [row for row in sim if row["model"] == "formula-model" and float(row["q"]) < 0.5 and int(row["z"]) > 0]
    distances = [abs(float(row["rate"]) - float(row["formula"])) / max(float(row["stderr"]), 1e-9) for row in below]
    values["sim.max_distance"] = number(max(distances), 1)
    values["sim.within3"] = str(sum(distance <= 3 for distance in distances))
    values["sim.points"] = str(len(distances))
    values["sim.above"] = str(sum(float(row["rate"]) > float(row["formula"]) for row in below))
    values["sim.q3z2"] = pick(0.3, 2, "formula-model")["rate"] if 0.3 in shares else "n/a"
    values["sim.q3z2_rule"] = pick(0.3, 2, "protocol-rule")["rate"] if 0.3 in shares else "n/a"
    values["sim.q3z2_se"] = pick(0.3, 2, "formula-model")["stderr"] if 0.3 in shares else "n/a"
    values["sim.runs"] = sim[0]["runs"]
    # The honest side's stale blocks make the attacker's share of the chain's growth
    # q' = q / (q + (1 - q)(1 - s)), over a horizon of that many chain blocks a second.
    def corrected(row):
        q, stale, horizon = float(row["q"]), float(row["honest_stale_rate"]), float(row["horizon_s"])
        growth = q + (1 - q) * (1 - stale)
        return attack_sim.exact(q / growth, int(row["z"]), horizon * growth, row["model"])
    def inside(row, value):
        return float(row["wilson_low"]) <= value <= float(row["wilson_high"])
    stale_rates = sorted(float(pick(q, 0, "formula-model")["honest_stale_rate"]) for q in shares)
    values["sim.stale"] = f"{stale_rates[len(stale_rates) // 2] * 100:.1f}% ({stale_rates[0] * 100:.1f}-{stale_rates[-1] * 100:.1f}%)"
    checked = [row for row in sim if int(row["z"]) >= 1]
    values["sim.checked"] = str(len(checked))
    values["sim.inside_exact"] = str(sum(inside(row, float(row["exact"])) for row in checked))
    values["sim.inside_corrected"] = str(sum(inside(row, corrected(row)) for row in checked))
    values["sim.above_exact"] = str(sum(float(row["exact"]) < float(row["wilson_low"]) for row in checked))
    values["sim.below_exact"] = str(sum(float(row["exact"]) > float(row["wilson_high"]) for row in checked))
    # Nakamoto's own setting: the formula's model, q < 1/2, z >= 1.
    own = [row for row in checked if row["model"] == "formula-model" and float(row["q"]) < 0.5]
    values["sim.own_points"] = str(len(own))
    values["sim.own_formula"] = str(sum(inside(row, float(row["formula"])) for row in own))
    values["sim.own_exact"] = str(sum(inside(row, float(row["exact"])) for row in own))
    values["sim.own_corrected"] = str(sum(inside(row, corrected(row)) for row in own))
    fine = [q for q in shares if 0.39 < q < 0.56]
    values["sim.fine_from"], values["sim.fine_to"] = (str(fine[0]), str(fine[-1])) if fine else ("n/a", "n/a")
    tables["attack_sweep"] = table([{"q": q, "stale": f"{float(pick(q, 6, 'formula-model')['honest_stale_rate']):.3f}",
                                     "formula": f"{float(pick(q, 6, 'formula-model')['formula']):.3f}",
                                     "exact": f"{float(pick(q, 6, 'formula-model')['exact']):.3f}",
                                     "corrected": f"{corrected(pick(q, 6, 'formula-model')):.3f}",
                                     "model": f"{float(pick(q, 6, 'formula-model')['rate']):.3f} ({float(pick(q, 6, 'formula-model')['wilson_low']):.3f}-{float(pick(q, 6, 'formula-model')['wilson_high']):.3f})",
                                     "rule": f"{float(pick(q, 6, 'protocol-rule')['rate']):.3f} ({float(pick(q, 6, 'protocol-rule')['wilson_low']):.3f}-{float(pick(q, 6, 'protocol-rule')['wilson_high']):.3f})",
                                     "rule_exact": f"{float(pick(q, 6, 'protocol-rule')['exact']):.3f}"} for q in fine],
                                   ["q", "stale", "formula", "exact", "corrected", "model", "rule_exact", "rule"],
                                   ["q", "honest stale rate", "Nakamoto", "exact", "exact at q'", "simulated (95%)",
                                    "rule: exact", "rule: simulated (95%)"])
    releases = read("attack-release.csv")
    values["sim.releases"] = str(len(releases))
    values["sim.releases_followed"] = str(sum(int(row["honest_nodes_reorganised"]) for row in releases))
    # Broadcast.
    # The relay the node uses (a results file from before compact blocks has no relay column);
    # the relay before them beside it in a table of its own.
    # Each configuration's median over its seeds (with the range of a few figures).
    aggregated = broadcast_experiment.aggregate(read("broadcast.csv"))
    every_relay = [row for row in aggregated if row["tx_rate"] == 2]
    broadcast = [row for row in every_relay if row.get("relay", "compact") == "compact"]
    heavy = sorted((row for row in aggregated if row["tx_rate"] != 2), key=lambda row: row["relay"])
    values["broadcast.seeds"] = str(max(row["seeds"] for row in aggregated))
    def ranged(row, column, digits=0):
        low, high = row.get(f"{column}_min"), row.get(f"{column}_max")
        middle = row[column]
        if middle == "":
            return "-"
        if low is None or low == high:
            return f"{float(middle):,.{digits}f}"
        return f"{float(middle):,.{digits}f} ({float(low):,.{digits}f}-{float(high):,.{digits}f})"
    tables["broadcast_heavy"] = table(heavy, ["relay", "nodes", "fanout", "tx_rate", lambda row: round(float(row["puts"]) / max(float(row["blocks"]), 1)),
                                              lambda row: ranged(row, "bytes_per_block"), lambda row: ranged(row, "messages_per_block"),
                                              lambda row: ranged(row, "block_ratio", 3), lambda row: ranged(row, "p95_ms"),
                                              lambda row: ranged(row, "stale_rate", 3)],
                                      ["relay", "n", "k", "puts/s", "puts a block", "bytes a block", "msgs/block", "ratio", "p95 (ms)",
                                       "stale rate"])
    by_relay = {row["relay"]: row for row in heavy}
    if "compact" in by_relay and "headers" in by_relay:
        compact_heavy, headers_heavy = by_relay["compact"], by_relay["headers"]
        values.update({"broadcast.heavy_nodes": str(compact_heavy["nodes"]), "broadcast.heavy_rate": str(compact_heavy["tx_rate"]),
                       "broadcast.heavy_puts_per_block": number(float(compact_heavy["puts"]) / max(float(compact_heavy["blocks"]), 1)),
                       "broadcast.heavy_bytes": number(compact_heavy["bytes_per_block"]),
                       "broadcast.heavy_headers_bytes": number(headers_heavy["bytes_per_block"]),
                       "broadcast.heavy_bytes_ratio": number(float(compact_heavy["bytes_per_block"]) / max(float(headers_heavy["bytes_per_block"]), 1), 2),
                       "broadcast.heavy_p95": number(compact_heavy["p95_ms"]), "broadcast.heavy_headers_p95": number(headers_heavy["p95_ms"]),
                       "broadcast.heavy_stale": f"{float(compact_heavy['stale_rate']):.3f}",
                       "broadcast.heavy_headers_stale": f"{float(headers_heavy['stale_rate']):.3f}"})
    stale = sorted(float(row["stale_rate"]) for row in broadcast if row["stale_rate"] != "")
    values["broadcast.stale_median"], values["broadcast.stale_max"] = (f"{stale[len(stale) // 2]:.3f}", f"{stale[-1]:.3f}") if stale else ("n/a", "n/a")
    def cast(n, k, loss):
        return next(row for row in broadcast if int(row["nodes"]) == n and int(row["fanout"]) == k and float(row["loss"]) == loss)
    big = cast(max(int(row["nodes"]) for row in broadcast), 8, 0.0)
    lossy = cast(int(big["nodes"]), 8, 0.05)
    values.update({f"broadcast.{key}": value for key, value in big.items()})
    values.update({f"broadcast.lossy_{key}": value for key, value in lossy.items()})
    tables["broadcast"] = table([row for row in broadcast if float(row["loss"]) == 0.0],
                                ["nodes", "fanout", "mean_degree", "messages_per_block", "flooding_per_item", lambda row: ranged(row, "block_ratio", 3),
                                 "block_ratio_everywhere", "bytes_per_block", "p50_ms", lambda row: ranged(row, "p95_ms"),
                                 lambda row: ranged(row, "stale_rate", 3), "hops_flooding"],
                                ["n", "k", "degree d", "msgs/block", "n(d-1)", "ratio", "ratio, blocks on all", "bytes/block",
                                 "p50 (ms)", "p95 (ms)", "stale rate", "log_(d-1) n"])
    tables["broadcast_loss"] = table([row for row in broadcast if float(row["loss"]) > 0],
                                     ["nodes", "fanout", "messages_per_block", "block_ratio", "puts_everywhere", "puts", "p50_ms",
                                      "p95_ms", "max_ms", lambda row: ranged(row, "put_max_ms") if row.get("put_max_ms", "") != "" else "not all"],
                                     ["n", "k", "msgs/block", "ratio", "puts everywhere", "puts", "p50 (ms)", "p95 (ms)", "max (ms)",
                                      "last put everywhere after (ms)"])
    older = {(row["nodes"], row["fanout"]): row for row in every_relay if row.get("relay") == "headers" and float(row["loss"]) == 0.0}
    if (big["nodes"], big["fanout"]) in older:
        values.update({f"broadcast.headers_{key}": value for key, value in older[(big["nodes"], big["fanout"])].items()})
    older_lossy = {(row["nodes"], row["fanout"]): row for row in every_relay if row.get("relay") == "headers" and float(row["loss"]) > 0}
    if (big["nodes"], big["fanout"]) in older_lossy:
        values.update({f"broadcast.headers_lossy_{key}": value for key, value in older_lossy[(big["nodes"], big["fanout"])].items()})
    tables["broadcast_relays"] = table([dict(row, headers_messages_per_block=older[(row["nodes"], row["fanout"])]["messages_per_block"],
                                             headers_p50_ms=older[(row["nodes"], row["fanout"])]["p50_ms"],
                                             headers_p95_ms=older[(row["nodes"], row["fanout"])]["p95_ms"])
                                        for row in broadcast if float(row["loss"]) == 0.0 and (row["nodes"], row["fanout"]) in older],
                                       ["nodes", "fanout", "headers_messages_per_block", "messages_per_block", "headers_p50_ms", "p50_ms",
                                        "headers_p95_ms", "p95_ms"],
                                       ["n", "k", "msgs/block, headers", "msgs/block, compact", "p50 headers (ms)", "p50 compact (ms)",
                                        "p95 headers (ms)", "p95 compact (ms)"])
    # Puts: flooding to every peer with 5-s re-offers (the relay before) against outbound-only
    # announcements with reconciliation. Results from before reconciliation lack the columns.
    paired = [dict(row, before_put_ratio=older[(row["nodes"], row["fanout"])]["put_ratio"],
                   before_put_p95_ms=older[(row["nodes"], row["fanout"])].get("put_p95_ms", "n/a"))
              for row in broadcast if float(row["loss"]) == 0.0 and (row["nodes"], row["fanout"]) in older and "put_p95_ms" in row]
    tables["broadcast_put_relays"] = table(paired, ["nodes", "fanout", "before_put_ratio", "put_ratio", "before_put_p95_ms", "put_p95_ms",
                                                    "puts_everywhere", "puts"],
                                           ["n", "k", "msgs/put ÷ n(d-1), before", "msgs/put ÷ n(d-1), reconciled",
                                            "put p95 before (ms)", "put p95 reconciled (ms)", "puts everywhere", "puts"])
    # Push flooding, measured (k = 8), beside the relay on the same networks and seeds.
    flood = {(row["nodes"], row["fanout"], float(row["loss"])): row for row in every_relay if row.get("relay") == "flood"}
    flooded = [dict(row, flood=flood[(row["nodes"], row["fanout"], float(row["loss"]))]) for row in broadcast
               if (row["nodes"], row["fanout"], float(row["loss"])) in flood]
    def seeds_median(row, column):
        return number(row[column]) if row.get(column, "") != "" else "not all"
    tables["broadcast_flood"] = table(flooded, ["nodes", lambda row: f"{row['loss']:.0%}",
                                                lambda row: seeds_median(row["flood"], "messages_per_block"), lambda row: seeds_median(row, "messages_per_block"),
                                                lambda row: seeds_median(row["flood"], "bytes_per_block"), lambda row: seeds_median(row, "bytes_per_block"),
                                                lambda row: seeds_median(row["flood"], "p95_ms"), lambda row: seeds_median(row, "p95_ms"),
                                                lambda row: seeds_median(row["flood"], "messages_per_put"), lambda row: seeds_median(row, "messages_per_put"),
                                                lambda row: seeds_median(row["flood"], "put_max_ms"), lambda row: seeds_median(row, "put_max_ms")],
                                      ["n", "loss", "msgs/block, flood", "relay", "bytes/block, flood", "relay", "p95 (ms), flood", "relay",
                                       "msgs/put, flood", "relay", "last put everywhere (ms), flood", "relay"])
    values["broadcast.flood_configurations"] = str(len(flooded))
    big_flood = flood.get((big["nodes"], big["fanout"], 0.0))
    if big_flood:
        values.update({f"broadcast.flood_{key}": value for key, value in big_flood.items() if not isinstance(value, dict)})
        for column in ("messages_per_block", "bytes_per_block"):
            values[f"broadcast.flood_{column}"] = number(big_flood[column])
        values["broadcast.flood_block_ratio_measured"] = f"{float(big['messages_per_block']) / float(big_flood['messages_per_block']):.2f}"
        values["broadcast.flood_bytes_ratio"] = f"{float(big['bytes_per_block']) / float(big_flood['bytes_per_block']):.2f}"
        values["broadcast.flood_put_ratio_measured"] = f"{float(big['messages_per_put']) / float(big_flood['messages_per_put']):.2f}"
    if "flood" in by_relay and "compact" in by_relay:
        values["broadcast.heavy_flood_bytes"] = number(by_relay["flood"]["bytes_per_block"])
        values["broadcast.heavy_flood_bytes_ratio"] = number(float(by_relay["compact"]["bytes_per_block"]) / max(float(by_relay["flood"]["bytes_per_block"]), 1), 2)
        values["broadcast.heavy_flood_p95"] = number(by_relay["flood"]["p95_ms"])
        values["broadcast.heavy_flood_stale"] = f"{float(by_relay['flood']['stale_rate']):.3f}"
    lossy_rows = [row for row in broadcast if float(row["loss"]) > 0]
    values["broadcast.lossy_runs"] = str(sum(row["seeds"] for row in lossy_rows))
    values["broadcast.lossy_configurations"] = str(len(lossy_rows))
    values["broadcast.lossy_all_delivered"] = str(sum(row.get("put_max_ms", "") != "" for row in lossy_rows))
    # The simulator against real processes on one configuration (experiments/calibration.py).
    calibration = read("calibration.csv")
    def calibrated(source, latency, column, digits=0):
        return median_range((row[column] for row in calibration if row["source"] == source and row["latency_ms"] == str(latency)), digits)
    latencies = sorted({int(row["latency_ms"]) for row in calibration}, reverse=True)
    cells = []
    for latency in latencies:
        for source in ("real", "simulator"):
            chosen = [row for row in calibration if row["source"] == source and row["latency_ms"] == str(latency)]
            if chosen:
                cells.append({"source": "real processes" if source == "real" else "simulator", "latency": f"{latency} ± 20" if latency else "0",
                              "runs": len(chosen), "blocks": sum(int(row["blocks_timed"]) for row in chosen),
                              "interval": calibrated(source, latency, "interval_s", 2), "reach50": calibrated(source, latency, "reach_all_p50_ms"),
                              "reach95": calibrated(source, latency, "reach_all_p95_ms"), "node50": calibrated(source, latency, "node_p50_ms"),
                              "stale": calibrated(source, latency, "stale_rate", 3)})
            for column in ("reach_all_p50_ms", "reach_all_p95_ms", "node_p50_ms", "stale_rate", "interval_s"):
                values[f"calibration.{source}{latency}_{column}"] = calibrated(source, latency, column, 3 if column in ("stale_rate", "interval_s") else 1)
    tables["calibration"] = table(cells, ["source", "latency", "runs", "blocks", "interval", "node50", "reach50", "reach95", "stale"],
                                  ["run on", "links (ms)", "runs or seeds", "blocks timed", "interval (s)", "median node has it (ms)",
                                   "every node, p50 (ms)", "every node, p95 (ms)", "stale rate"])
    # etcd beside KeyChain: every figure the median of the repeats, with their range.
    measured = read("etcd.csv")
    def runs(system, workload, column):
        return sorted(float(row[column]) for row in measured if row["system"] == system and row["workload"] == workload and row[column] != "")
    def median(system, workload, column):
        data = runs(system, workload, column)
        return data[len(data) // 2] if data else float("nan")
    def spread(system, workload, column, digits=0):
        return median_range(runs(system, workload, column), digits)
    values["etcd.repeats"] = str(len(runs("etcd", "pipelined", "puts_per_s")))
    values["etcd.puts"] = number(median("etcd", "pipelined", "puts"))
    for system, prefix in (("etcd", "etcd."), ("keychain", "etcd.kc_")):
        values[f"{prefix}sequential"] = spread(system, "sequential", "puts_per_s", 0 if system == "etcd" else 2)
        values[f"{prefix}pipelined"] = spread(system, "pipelined", "puts_per_s")
        values[f"{prefix}server_cpu"] = spread(system, "pipelined", "server_cpu_us_per_put")
        values[f"{prefix}client_cpu"] = spread(system, "pipelined", "client_cpu_us_per_put")
        values[f"{prefix}gap"] = spread(system, "failover", "gap_ms")
        values[f"{prefix}gap_s"] = number(median(system, "failover", "gap_ms") / 1_000, 1)
        values[f"{prefix}baseline_gap"] = spread(system, "failover", "baseline_gap_ms")
        values[f"{prefix}lost"] = spread(system, "failover", "lost_writes")
    values["etcd.commit_p50"] = spread("etcd", "sequential", "latency_p50_ms", 2)
    values["etcd.commit_p99"] = spread("etcd", "sequential", "latency_p99_ms", 2)
    values["etcd.kc_sequential_p50"] = spread("keychain", "sequential", "latency_p50_ms")
    values["etcd.kc_depth1_p50"] = spread("keychain", "depth1", "latency_p50_ms")
    values["etcd.kc_depth1_p99"] = spread("keychain", "depth1", "latency_p99_ms")
    values["etcd.kc_depth6_p50"] = spread("keychain", "depth6", "latency_p50_ms")
    values["etcd.kc_depth6_p99"] = spread("keychain", "depth6", "latency_p99_ms")
    values["etcd.kc_depth1_s"] = number(median("keychain", "depth1", "latency_p50_ms") / 1_000, 1)
    values["etcd.kc_depth6_s"] = number(median("keychain", "depth6", "latency_p50_ms") / 1_000, 1)
    values["etcd.kc_probes"] = number(median("keychain", "depth1", "samples"))
    values["etcd.pipelined_ratio"] = number(median("etcd", "pipelined", "puts_per_s") / median("keychain", "pipelined", "puts_per_s"), 1)
    values["etcd.cpu_ratio"] = number(median("keychain", "pipelined", "server_cpu_us_per_put") / median("etcd", "pipelined", "server_cpu_us_per_put"), 1)
    values["etcd.latency_ratio"] = number(median("keychain", "depth1", "latency_p50_ms") / median("etcd", "sequential", "latency_p50_ms"))
    values["etcd.commit"] = measured[0].get("commit", "n/a")
    values["etcd.machine"] = measured[0].get("machine", "n/a")
    def line(label, column, system, workload, digits=0):
        return {"what": label, "etcd": spread("etcd", workload[0], column, digits) if workload[0] else "-",
                "keychain": spread("keychain", workload[1], column, digits) if workload[1] else "-"}
    tables["etcd"] = table([
        line("one sequential client, puts/s", "puts_per_s", None, ("sequential", "sequential"), 1),
        line("its latency p50 (ms)", "latency_p50_ms", None, ("sequential", "sequential"), 2),
        line("3 x 1,000 puts in flight, puts/s", "puts_per_s", None, ("pipelined", "pipelined")),
        line("servers' CPU per put (us)", "server_cpu_us_per_put", None, ("pipelined", "pipelined"), 1),
        line("client's CPU per put (us)", "client_cpu_us_per_put", None, ("pipelined", "pipelined"), 1),
        line("write latency p50 (ms): commit / depth 1", "latency_p50_ms", None, ("sequential", "depth1"), 2),
        line("write latency p99 (ms): commit / depth 1", "latency_p99_ms", None, ("sequential", "depth1"), 2),
        line("depth 6 p50 (ms)", "latency_p50_ms", None, (None, "depth6")),
        line("depth 6 p99 (ms)", "latency_p99_ms", None, (None, "depth6")),
        line("longest write gap, kill -9 (ms)", "gap_ms", None, ("failover", "failover")),
        line("longest write gap, no fault (ms)", "baseline_gap_ms", None, ("failover", "failover")),
        line("taken writes lost in the kill", "lost_writes", None, ("failover", "failover")),
    ], ["what", "etcd", "keychain"], ["", "etcd, 3 members", "KeyChain, 3 nodes"])
    return values, tables


def render(text, values, tables):
    def substitute(match):
        name = match.group(1)
        if name.startswith("table:"):
            return tables[name[len("table:"):]]
        if name not in values:
            raise SystemExit(f"REPORT.md names {{{{{name}}}}}, which no result provides")
        return str(values[name])
    return re.sub(r"\{\{([a-z_:.0-9]+)\}\}", substitute, text)


def ensure(tool, package):
    if shutil.which(tool):
        return
    print(f"installing {package}", flush=True)
    subprocess.run(["sh", "-c", f"apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq {package}"], check=True)


def main():
    values, tables = figures()
    with open(os.path.join(HERE, "REPORT.md")) as handle:
        text = render(handle.read(), values, tables)
    build = os.path.join(HERE, "build")
    os.makedirs(build, exist_ok=True)
    markdown = os.path.join(build, "report.md")
    with open(markdown, "w") as handle:
        handle.write(text)
    if "--markdown-only" in sys.argv:
        print(markdown)
        return
    ensure("pandoc", "pandoc")
    ensure("weasyprint", "weasyprint")
    html = os.path.join(build, "report.html")
    # Plain HTML (any pandoc since 2.0), laid out by weasyprint with the report's stylesheet;
    # images resolve against experiments/, where plots/ is.
    # Dated by the newest result the report is built from.
    newest = max(os.path.getmtime(os.path.join(RESULTS, name)) for name in os.listdir(RESULTS))
    subprocess.run(["pandoc", markdown, "--standalone", "--metadata", "title=KeyChain: a key-value store on a proof-of-work chain",
                    "--metadata", f"date={time.strftime('%d %B %Y', time.gmtime(newest))}", "-o", html], check=True)
    pdf = os.path.join(HERE, "report.pdf")
    subprocess.run(["weasyprint", "--base-url", HERE + "/", "--stylesheet", os.path.join(HERE, "report.css"), html, pdf], check=True,
                   stderr=subprocess.DEVNULL)
    print(f"wrote {pdf}")


if __name__ == "__main__":
    main()
