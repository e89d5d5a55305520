#!/usr/bin/env python3
"""Reads `swift package benchmark` text output on stdin and prints, for each subject, the ratio
of its median throughput to its baseline's median throughput from the same run.

A benchmark named "GROUP: baseline ..." is the baseline of every other benchmark "GROUP: ...".
"""
import re
import sys

UNITS = {"#": 1, "K": 1e3, "M": 1e6, "G": 1e9}
medians = {}
name = None
for line in sys.stdin:
    line = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", line).rstrip()
    if re.match(r"^[a-z]+: ", line):
        name = line
        continue
    match = re.match(r"^│ Throughput \(# / s\) \((\S+)\)\s*│([^│]+)│([^│]+)│([^│]+)│", line)
    if name and match:
        medians[name] = float(match.group(4)) * UNITS.get(match.group(1), 1)
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
    print(f"{group}: baseline {base_name.split(': ', 1)[1]} = {base_value:,.0f}/s")
    for bench, value in items:
        if bench == base_name:
            continue
        print(f"  {bench.split(': ', 1)[1]}: {value:,.0f}/s = {value / base_value:.2f}x baseline")
