#!/usr/bin/env python3
"""Reads `swift package benchmark` text output on stdin and prints, for each subject, the ratio
of its median speed to its baseline's from the same run. Speeds come from the median wall-clock
time per (scaled) iteration, which the tool prints with more digits than throughput.

A benchmark named "GROUP: baseline ..." is the baseline of every other benchmark "GROUP: ...".
"""
import re
import sys

UNITS = {"ns": 1e-9, "μs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
medians = {}
name = None
for line in sys.stdin:
    line = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", line).rstrip()
    if re.match(r"^[a-z-]+: ", line):
        name = line
        continue
    match = re.match(r"^│ Time \(wall clock\) \((\S+)\)[ *]*│([^│]+)│([^│]+)│([^│]+)│", line)
    if name and match and match.group(1) in UNITS:
        seconds = float(match.group(4).replace(",", "")) * UNITS[match.group(1)]
        medians[name] = 1.0 / seconds if seconds > 0 else 0.0
        name = None

groups = {}
for bench, value in medians.items():
    group = bench.split(":")[0]
    groups.setdefault(group, []).append((bench, value))

for group, items in sorted(groups.items()):
    baselines = [(b, v) for b, v in items if ": baseline" in b]
    if not baselines:
        continue
    base_name, base_value = baselines[0]
    print(f"{group}: {base_name.split(': ', 1)[1]} = {base_value:,.0f}/s")
    for bench, value in items:
        if bench == base_name:
            continue
        print(f"  {bench.split(': ', 1)[1]}: {value:,.0f}/s = {value / base_value:.2f}x baseline")
