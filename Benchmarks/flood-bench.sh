#!/usr/bin/env bash
# A client's `put` latency on one node while four peers flood it (Benchmarks/README.md): the
# peers complete the handshake, then each sends RATE messages a second (default 25): `inv` of
# 1,000 unknown puts, `getdata` of 1,000 unknown blocks and `getheaders` from genesis, by
# turns. Prints the put p50/p95/p99 idle and under the flood, five alternating rounds of 400
# puts each, and the p99 ratio (target <= 2x). Stops everything it starts.
#   Benchmarks/flood-bench.sh [RATE]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build() { local out; if ! out=$("$@" 2>&1); then echo "$out" >&2; echo "flood-bench: '$*' failed" >&2; exit 1; fi; }
build swift build -c release --product keychain-node
build swift build -c release --product keychain-tracker
work=$(mktemp -d /tmp/keychain-flood-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
result=$(python3 Benchmarks/flood_bench.py "$root" "$work" "${1:-25}")
echo "$result"
python3 - "$result" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
print(f"\nput until accepted, 2,000 puts each: idle p50 {r['putIdleP50Ms']:.2f} ms / p95 {r['putIdleP95Ms']:.2f} ms / p99 {r['putIdleP99Ms']:.2f} ms; "
      f"under {r['floodingPeers']} peers flooding at {r['floodRatePerPeer']:.0f} msg/s each ({r['floodMessagesSent']:,} messages sent): "
      f"p50 {r['putFloodP50Ms']:.2f} ms / p95 {r['putFloodP95Ms']:.2f} ms / p99 {r['putFloodP99Ms']:.2f} ms = {r['p99Ratio']:.2f}x idle p99 (target <= 2x)")
PY
