#!/usr/bin/env bash
# The peer-protocol benchmark (issue: peer protocol and simulator), in one command: the
# simulator with 1,000 nodes, 8 outbound peers each, links of 50 ms ± 20 ms, 2 puts a second,
# run RUNS times (default 5). Prints messages per block and per put against flooding's n(k-1),
# block propagation p50/p95 in virtual time, and events/s (median and range over the runs;
# the run itself is deterministic, so only the wall time varies).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
swift build -c release --product keychain-sim >/dev/null
out=$(mktemp -d /tmp/keychain-sim-bench.XXXXXX)
trap 'rm -rf "$out"' EXIT
for run in $(seq 1 "$runs"); do
    .build/release/keychain-sim --scenario experiments/scenarios/thousand-nodes.json --out "$out/blocks.csv" > "$out/run$run.txt"
done
cat "$out/run1.txt"
python3 - "$out" "$runs" <<'PY'
import re, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
rates = []
for run in range(1, runs + 1):
    text = open(f"{out}/run{run}.txt").read()
    rates.append(float(re.search(r"= (\d+) events/s", text).group(1)))
text = open(f"{out}/run1.txt").read()
block = re.search(r"per block: (\d+); flooding n\(k-1\) = (\d+); ratio ([\d.]+)", text)
put = re.search(r"per put: (\d+); ratio to flooding ([\d.]+)", text)
prop = re.search(r"p50 (\d+) ms, p95 (\d+) ms", text)
print()
print(f"messages per block: {block.group(1)} = {block.group(3)}x flooding's n(k-1) = {block.group(2)} (target <= 1.2x)")
print(f"messages per put:   {put.group(1)} = {put.group(2)}x flooding (target <= 1.2x)")
print(f"block propagation:  p50 {prop.group(1)} ms, p95 {prop.group(2)} ms (virtual time)")
print(f"simulator speed:    median {statistics.median(rates):,.0f} events/s over {runs} runs "
      f"(range {min(rates):,.0f}-{max(rates):,.0f}; target >= 200,000)")
PY
