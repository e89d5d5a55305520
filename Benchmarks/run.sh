#!/usr/bin/env bash
# Runs the engine benchmarks in release mode and prints each figure as a ratio to its baseline
# from the same run. Needs libssl-dev (the OpenSSL baseline).
set -euo pipefail
cd "$(dirname "$0")"
output=$(mktemp)
swift package --disable-sandbox benchmark "$@" | tee "$output"
echo
echo "== ratios to same-run baselines (median wall-clock time) =="
python3 ratios.py < "$output"
rm -f "$output"
