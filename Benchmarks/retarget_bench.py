#!/usr/bin/env python3
"""Runs a retargeting scenario over many seeds and measures how the block interval follows the
hash rate. Driven by retarget-bench.sh: SIM SCENARIO WORKDIR SEEDS JOBS.

Per seed, from the best chain's blocks (the simulator's CSV, `best` = 1):
- steady: the mean interval between blocks mined in [300, 600) s, against the target;
- recovery after an event at E (the jump at 600 s, the drop at 1,200 s): the time from E to the
  first block after it from which the mean of the next 50 intervals on the best chain is within
  ±10% of the target (the issue's figure); and "sustained", where the windows starting 25 and
  50 blocks later are within it too, so that a lucky run of blocks does not end it early.
Block intervals as mined, not what the targets ask at the nominal hash rate (the CSV's
`expected_interval_ms`): blocks lost to races and miners paused for a body make the effective
hash rate lower than the nominal one, and the rule aims the intervals as mined at the target.
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


def recovery(times, event, sustained):
    def within(index):
        mean_ms = (times[index + WINDOW] - times[index]) * 1000 / WINDOW
        return abs(mean_ms - target_ms) <= BAND * target_ms
    for index, time in enumerate(times):
        if time < event:
            continue
        if index + 2 * WINDOW >= len(times):
            return None
        if within(index) and (not sustained or (within(index + WINDOW // 2) and within(index + WINDOW))):
            return time - event
    return None


def describe(values, unit, digits=1):
    values = sorted(values)
    p90 = values[min(len(values) - 1, int(0.9 * len(values)))]
    return f"median {statistics.median(values):.{digits}f}{unit}, p90 {p90:.{digits}f}{unit}, worst {values[-1]:.{digits}f}{unit}"


with ThreadPoolExecutor(max_workers=jobs) as pool:
    results = list(pool.map(run, range(1, seeds + 1)))

# The nominal hash rate's interval, for what races and pauses cost (1 would be none).
nominal = statistics.mean(e for _, times, expected in results for t, e in zip(times, expected) if 300 <= t < jump)

intervals, means, missing = [], [], 0
recoveries = {(event, sustained): [] for event in (jump, drop) for sustained in (False, True)}
for seed, times, expected in results:
    inside = steady(times, 300, jump)
    intervals += inside
    means.append(statistics.mean(inside) * 1000 / target_ms)
    for (event, sustained), found in recoveries.items():
        took = recovery(times, event, sustained)
        if took is None:
            missing += 1
        else:
            found.append(took)

pooled = statistics.mean(intervals) * 1000 / target_ms
print(f"retargeting over {seeds} seeds: {scenario['nodes']} nodes, half-life {scenario['halfLifeIntervals']} blocks, "
      f"hash rate x10 at {jump} s, back at {drop} s")
print(f"steady state [300, {jump}) s: mean interval {pooled:.3f}x the target over {len(intervals)} blocks "
      f"(per seed: {describe(means, 'x', 3)}); target within ±2%: {'met' if abs(pooled - 1) <= 0.02 else 'NOT met'}")
print(f"  (the targets ask {nominal / target_ms:.3f}x the interval of the nominal hash rate: races and paused miners "
      f"cost {100 * (1 - nominal / target_ms):.0f}% of it)")
for event, name, limit in ((jump, "jump", 90), (drop, "drop", 180)):
    first, sustained = recoveries[(event, False)], recoveries[(event, True)]
    verdict = "met" if first and statistics.median(first) <= limit else "NOT met"
    print(f"after the {name}, the next {WINDOW} intervals' mean within ±10%: {describe(first, ' s')}; "
          f"target ≤ {limit} s (median over the seeds): {verdict}")
    print(f"  sustained: {describe(sustained, ' s')}")
if missing:
    print(f"{missing} measurement(s) never came back within ±10% before the run ended")
