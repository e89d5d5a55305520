#!/usr/bin/env python3
"""Runs a retargeting scenario over many seeds and measures how the block interval follows the
hash rate. Driven by retarget-bench.sh: SIM SCENARIO WORKDIR SEEDS JOBS.

Per seed, from the best chain's blocks (the simulator's CSV, `best` = 1):
- steady: the mean interval between blocks mined in [300, 600) s, against the target;
- recovery after an event at E (the jump at 600 s, the drop at 1,200 s): the time from E to the
  first block after it from which the next 50 blocks' mean *expected* interval (what their
  targets ask at the hash rate of the moment, `expected_interval_ms`) is within ±10% of the
  target. The expected interval, not the drawn one, so that one seed's luck does not decide it.
"""
import csv
import json
import statistics
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

sim, scenario_path, work, seeds, jobs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
scenario = json.load(open(scenario_path))
target_ms = scenario.get("blockIntervalMs", 1000)
events = sorted(e["at"] for e in scenario["events"] if "hashPower" in e)
jump, drop = events[0], events[1]
WINDOW, BAND = 50, 0.10


def run(seed):
    out = f"{work}/seed{seed}.csv"
    subprocess.run([sim, "--scenario", scenario_path, "--seed", str(seed), "--out", out, "--json"],
                   check=True, stdout=subprocess.DEVNULL)
    with open(out) as handle:
        rows = [row for row in csv.DictReader(handle) if row["best"] == "1"]
    rows.sort(key=lambda row: int(row["height"]))
    # Times in seconds since the run started (the simulator starts one second after genesis).
    times = [(int(row["mined_at_ms"]) - 1000) / 1000 for row in rows]
    expected = [float(row["expected_interval_ms"]) for row in rows]
    return seed, times, expected


def steady(times, start, end):
    inside = [b - a for a, b in zip(times, times[1:]) if start <= b < end]
    return inside


def recovery(times, expected, event):
    for index, time in enumerate(times):
        if time < event:
            continue
        window = expected[index:index + WINDOW]
        if len(window) < WINDOW:
            return None
        if abs(statistics.mean(window) - target_ms) <= BAND * target_ms:
            return time - event
    return None


def describe(values, unit):
    values = sorted(values)
    p90 = values[min(len(values) - 1, int(0.9 * len(values)))]
    return f"median {statistics.median(values):.1f} {unit}, p90 {p90:.1f} {unit}, worst {values[-1]:.1f} {unit}"


with ThreadPoolExecutor(max_workers=jobs) as pool:
    results = list(pool.map(run, range(1, seeds + 1)))

intervals, means, jumps, drops, missing = [], [], [], [], 0
for seed, times, expected in results:
    inside = steady(times, 300, jump)
    intervals += inside
    means.append(statistics.mean(inside) * 1000 / target_ms)
    up, down = recovery(times, expected, jump), recovery(times, expected, drop)
    if up is None or down is None:
        missing += 1
    if up is not None:
        jumps.append(up)
    if down is not None:
        drops.append(down)

pooled = statistics.mean(intervals) * 1000 / target_ms
print(f"retargeting over {seeds} seeds: {scenario['nodes']} nodes, half-life {scenario['halfLifeIntervals']} blocks, "
      f"hash rate x10 at {jump} s, back at {drop} s")
print(f"steady state [300, {jump}) s: mean interval {pooled:.3f}x the target over {len(intervals)} blocks "
      f"(per seed: {describe(means, 'x')}); target within ±2%: {'met' if abs(pooled - 1) <= 0.02 else 'NOT met'}")
print(f"after the jump, next {WINDOW} blocks within ±10%: {describe(jumps, 's')}; target ≤ 90 s: "
      f"{'met' if jumps and max(jumps) <= 90 else 'NOT met'}")
print(f"after the drop, next {WINDOW} blocks within ±10%: {describe(drops, 's')}; target ≤ 180 s: "
      f"{'met' if drops and max(drops) <= 180 else 'NOT met'}")
if missing:
    print(f"{missing} seed(s) never came back within ±10% before the run ended")
