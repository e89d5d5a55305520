#!/usr/bin/env bash
# The peer-protocol benchmark (issue: peer protocol and simulator), in one command: the
# simulator with 1,000 nodes, 8 outbound peers each, links of 50 ms ± 20 ms, 2 puts a second,
# run RUNS times (default 5). Prints messages per block and per put against flooding's n(k-1),
# put and block propagation p50/p95 in virtual time, and events/s (median and range over the runs;
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
# The relay before compact blocks and reconciliation, once (the run is deterministic).
.build/release/keychain-sim --scenario experiments/scenarios/thousand-nodes.json --relay headers --out "$out/blocks.csv" > "$out/before.txt"
cat "$out/run1.txt"
python3 - "$out" "$runs" <<'PY'
import re, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
rates = []
for run in range(1, runs + 1):
    text = open(f"{out}/run{run}.txt").read()
    rates.append(float(re.search(r"= (\d+) events/s", text).group(1)))

def figures(name, label, targets):
    text = open(f"{out}/{name}.txt").read()
    block = re.search(r"per block: (\d+); flooding n\(k-1\) = (\d+); ratio ([\d.]+)", text)
    everywhere = re.search(r"over the (\d+) blocks that reached every running node: (\d+) messages per block .*ratio ([\d.]+)", text)
    put = re.search(r"per put: (\d+); ratio to flooding ([\d.]+); puts on every running node: (\d+) of (\d+)", text)
    put_prop = re.search(r"put propagation .*: p50 (\d+) ms, p95 (\d+) ms", text)
    prop = re.search(r"block propagation .*: p50 (\d+) ms, p95 (\d+) ms", text)
    getheaders = re.search(r"getheaders .*: (\d+) \((\d+) per block\)", text)
    print(f"\n{label}")
    print(f"  messages per block: {everywhere.group(2)} = {everywhere.group(3)}x flooding's n(k-1) = {block.group(2)} over the {everywhere.group(1)} "
          f"blocks that reached every node{' (target <= 1.05x)' if targets else ''}; {block.group(1)} = {block.group(3)}x over all blocks")
    print(f"  messages per put:   {put.group(1)} = {put.group(2)}x flooding{' (target <= 0.75x)' if targets else ''}, {put.group(3)} of {put.group(4)} puts on every node")
    print(f"  put propagation:    p50 {put_prop.group(1)} ms, p95 {put_prop.group(2)} ms{' (target p95 <= 1,000 ms)' if targets else ''}")
    print(f"  block propagation:  p50 {prop.group(1)} ms, p95 {prop.group(2)} ms{' (virtual time; target p50 <= 150, p95 <= 200)' if targets else ''}")
    print(f"  getheaders:         {getheaders.group(1)} ({getheaders.group(2)} per block)")

figures("run1", "compact blocks, puts to outbound peers and reconciled (the node's relay):", True)
figures("before", "the relay before them (headers, getdata, block; puts to every peer, re-offered every 5 s):", False)
print(f"\nsimulator speed:    median {statistics.median(rates):,.0f} events/s over {runs} runs "
      f"(range {min(rates):,.0f}-{max(rates):,.0f}; target >= 200,000)")
PY
