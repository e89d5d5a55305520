#!/usr/bin/env bash
# The devnet's retargeting on real processes (issue: a difficulty that follows the hash rate),
# in one command: `keychain-devnet --difficulty 8` (3 nodes, each capped at 400,000 hashes a
# second: about 4,700 blocks a second at the start) under a `keychain-cli import` through node 1.
# Reports when the three nodes first shared a tip, the longest split after it, and when the
# mean of the next 60 block intervals came within 1 s ± 30% (and from when it stayed there);
# the median of RUNS fresh devnets. Target: one tip and the interval within 2 minutes, and no
# split of 10 s after it.
# Usage: Benchmarks/devnet-retarget-bench.sh [SECONDS] [BITS] [RUNS]   (180, 8 and 3 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-180}
bits=${2:-8}
runs=${3:-3}
build() { local out; if ! out=$("$@" 2>&1); then echo "$out" >&2; echo "devnet-retarget-bench: '$*' failed" >&2; exit 1; fi; }
for product in keychain-devnet keychain-node keychain-tracker keychain-cli; do build swift build -c release --product "$product"; done
work=$(mktemp -d /tmp/keychain-devnet-retarget-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 Benchmarks/devnet_retarget_bench.py "$(pwd)" "$work" "$seconds" "$bits" "$runs"
