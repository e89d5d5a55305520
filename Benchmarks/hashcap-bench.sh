#!/usr/bin/env bash
# The hash-rate cap benchmark (issue: miners that never idle), in one command: one tracker and
# one mining node capped at CAP hashes a second (one thread) at each difficulty, on 127.0.0.1.
# Reports the hashes a second the blocks found imply (2^bits each) against the cap, and the
# median `hashRate` the node reports. Target: the cap holds at every difficulty (the ratio is at
# most 1 within two standard errors; the lower the difficulty, the more blocks and the tighter).
# Usage: Benchmarks/hashcap-bench.sh [CAP] [SECONDS] [BINARIES]   (100000 and 20 by default;
# BINARIES: another release directory to measure the same way, for a before-and-after).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
cap=${1:-100000}
seconds=${2:-20}
binaries=${3:-}
# Quiet builds, but a failing one shows why (swift build reports errors on stdout).
build() { local out; if ! out=$("$@" 2>&1); then echo "$out" >&2; echo "hashcap-bench: '$*' failed" >&2; exit 1; fi; }
build swift build -c release --product keychain-node
build swift build -c release --product keychain-tracker
work=$(mktemp -d /tmp/keychain-hashcap-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 Benchmarks/hashcap_bench.py "$root" "$work" "$cap" "$seconds" 8 10 12 ${binaries:+--binaries "$binaries"}
