#!/usr/bin/env bash
# The key index benchmark (issue: the key index on disk), in one command, one --dev node:
#   1. KEYS keys of 32 B rewritten ROUNDS times with 100 B values: RSS after each round (its
#      growth after the first round must stay within --cache-mb), import rate per round, disk
#      per put (segments and index together) against the raw key and value bytes;
#   2. restart to serving at the same tip after SIGTERM and after kill -9;
#   3. `get` p50/p99 on one connection right after a restart and once warm; `history` of a key
#      with 1,000 versions;
#   4. with redis-server installed, its memory per key for the same keys and values.
# Usage: Benchmarks/keyindex-bench.sh [KEYS] [ROUNDS] [BINARIES]   (100000 10 by default;
# BINARIES: another release directory to measure the same way, for a before-and-after).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
keys=${1:-100000}
rounds=${2:-10}
binaries=${3:-}
# Quiet builds, but a failing one shows why (swift build reports errors on stdout).
build() { local out; if ! out=$("$@" 2>&1); then echo "$out" >&2; echo "keyindex-bench: '$*' failed" >&2; exit 1; fi; }
build swift build -c release
(cd Benchmarks && build swift build -c release --product NodeLoad)
work=$(mktemp -d /tmp/keychain-keyindex-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
result=$(python3 Benchmarks/keyindex_bench.py "$root" "$work" "$keys" "$rounds" $binaries)
echo "$result"
python3 - "$result" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
print()
for i, x in enumerate(r["rounds"]):
    print(f"round {i + 1}: {x['puts']:,} puts confirmed, RSS {x['rssMB']:.0f} MB ({x['anonMB']:.0f} MB anonymous), {x['importPutsPerSecond']:,} puts/s, disk {x['diskBytes'] / 1e6:.0f} MB")
print(f"growth after the first round: RSS {r['rssGrowthAfterFirstRoundMB']:.0f} MB, anonymous {r['anonGrowthAfterFirstRoundMB']:.0f} MB (target: within --cache-mb, 64 by default)")
print(f"disk per put: {r['diskPerPutBytes']:.0f} B = {r['diskVsRaw']:.2f}x the raw key and value bytes (target <= 3x)")
print(f"restart to serving: {r['restartAfterSigtermSeconds']:.2f} s after SIGTERM, {r['restartAfterKill9Seconds']:.2f} s after kill -9 (target <= 1 s)")
print(f"get p50/p99 on one connection: cold {r['getColdP50us']:.0f}/{r['getColdP99us']:.0f} us, warm {r['getWarmP50us']:.0f}/{r['getWarmP99us']:.0f} us")
print(f"history of a key with {r['historyVersions']} versions: {r['history1000MedianMs']:.2f} ms median (target <= 5 ms)")
if "redisBytesPerKey" in r:
    print(f"redis-server: {r['redisBytesPerKey']:.0f} B per key for the same keys and values")
PY
