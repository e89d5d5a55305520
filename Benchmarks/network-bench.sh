#!/usr/bin/env bash
# The network benchmark (issue: a real network), in one command, on 127.0.0.1:
#   1. import of 100,000 keys through node 1 of a 3-node keychain-devnet until every key is
#      confirmed and readable on all three (puts/s; the median of three fresh devnets, since
#      blocks come by chance), beside the same import into one --dev node in the same run;
#      and the CPU each put cost (every process of the network and the client), beside --dev's;
#   2. propagation of each new tip to every devnet node: p50 and p95 over the 30 s after
#      the import;
#   3. a fresh node syncing, from 2 peers, a 1,000-block chain of 100,000 puts by 1,000
#      authors signing round-robin: tx/s and blocks/s; `get` p99 on one connection of the
#      syncing node while it syncs (median of back-to-back runs of 5,000 that ended before the
#      sync did), beside the idle p99 right after (as many runs).
# Ports 7470-7573 and 7501-7502 must be free. Stops everything it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
count=${COUNT:-100000}
# Quiet builds, but a failing one shows why (swift build reports errors on stdout).
build() { local out; if ! out=$("$@" 2>&1); then echo "$out" >&2; echo "network-bench: '$*' failed" >&2; exit 1; fi; }
build swift build -c release
(cd Benchmarks && build swift build -c release --product NodeLoad && build swift build -c release --product SyncChain)
work=$(mktemp -d /tmp/keychain-network-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 data/samples/generate.py --count "$count" --key-bytes 32 --value-bytes 100 > "$work/keys.csv"
result=$(python3 Benchmarks/network_bench.py "$root" "$work" "$count")
echo "$result"
python3 - "$result" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
print()
print(f"devnet import: {r['devnetImportPutsPerSecond']:,.0f} puts/s confirmed on all 3 nodes, median of {r['devnetImportRuns']} "
      f"(target >= 8,000) = {r['devnetVsDev']:.2f}x one --dev node in this run ({r['devImportPutsPerSecond']:,.0f}/s)")
print(f"CPU per imported put: {r['devnetCpuPerPutMicroseconds']:.0f} us on the devnet (3 nodes, tracker and client; median of 3) "
      f"= {r['devnetCpuPerPutMicroseconds'] / r['devCpuPerPutMicroseconds']:.2f}x the --dev node and client ({r['devCpuPerPutMicroseconds']:.0f} us)")
print(f"header propagation to every node: p50 {r['propagationP50ms']:.1f} ms, p95 {r['propagationP95ms']:.1f} ms "
      f"over {r['propagationBlocks']} blocks (target p95 < 50 ms)")
print(f"sync from 2 peers: {r['syncTxPerSecond']:,.0f} tx/s, {r['syncBlocksPerSecond']:,.0f} blocks/s "
      f"({r['syncSeconds']:.1f} s; target >= 20,000 tx/s)")
print(f"get p99 while syncing {r['getDuringSyncP99us']:.0f} us vs idle {r['getIdleP99us']:.0f} us = {r['getP99Ratio']:.2f}x "
      f"(target <= 3x; medians of {r['getRunsDuringSync']} runs of 5,000 gets each)")
PY
