#!/usr/bin/env bash
# The retargeting benchmark (issue: a difficulty that follows the hash rate), in one command:
# experiments/scenarios/hash-jump.json in the simulator over SEEDS seeds (60 by default): 20
# nodes on 50 ± 20 ms links, ASERT with a 30-block half-life, the hash rate ten times higher
# from 600 s and back from 1,200 s. Reports, over the seeds, the steady-state mean interval and
# how long after the jump and after the drop the next 50 blocks' mean interval is back within
# ±10% of the target. Targets: steady state within ±2%, back in ≤ 90 s after the jump and
# ≤ 180 s after the drop.
# Usage: Benchmarks/retarget-bench.sh [SEEDS] [JOBS]   (JOBS: runs at once, 2 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-60}
jobs=${2:-2}
build() { local out; if ! out=$("$@" 2>&1); then echo "$out" >&2; echo "retarget-bench: '$*' failed" >&2; exit 1; fi; }
build swift build -c release --product keychain-sim
work=$(mktemp -d /tmp/keychain-retarget-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 Benchmarks/retarget_bench.py .build/release/keychain-sim experiments/scenarios/hash-jump.json "$work" "$seeds" "$jobs"
