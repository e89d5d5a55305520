#!/usr/bin/env bash
# The node benchmark (issue: one node end to end), in one command:
#   1. import 100,000 keys (32-byte keys, 100-byte values) into one `keychain-node --dev
#      --difficulty 12` with `keychain-cli import`: confirmed puts/s;
#   2. `get` over the Unix socket with 1 and 50 connections (ops/s, p50/p99), next to
#      redis-server's GET on a Unix socket measured in the same run with redis-benchmark;
#   3. `get` p50/p99 on one connection while the node validates and stores blocks of 1,000
#      puts by 1,000 new authors that a peer delivers through the protocol (in-process), beside
#      the idle figure, in interleaved rounds (ReadsDuringValidation).
# Needs redis-server and redis-tools (installed if missing). Stops everything it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
count=${COUNT:-100000}

if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools
fi
# A build that fails shows the compiler's errors and stops the benchmark with a non-zero exit.
build() { local out; if ! out=$("$@" 2>&1); then echo "$out" >&2; echo "node-bench: '$*' failed" >&2; exit 1; fi; }
build swift build -c release --product keychain-node
build swift build -c release --product keychain-cli
(cd Benchmarks && build swift build -c release --product NodeLoad && build swift build -c release --product ReadsDuringValidation)
bin="$root/.build/release"
load="$root/Benchmarks/.build/release/NodeLoad"

work=$(mktemp -d /tmp/keychain-bench.XXXXXX)
node_pid=""; redis_pid=""
cleanup() {
    [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null || true
    [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

python3 data/samples/generate.py --count "$count" --key-bytes 32 --value-bytes 100 > "$work/keys.csv"
"$bin/keychain-node" --dev --difficulty 12 --data-dir "$work/node" --log-level warning &
node_pid=$!
for _ in $(seq 1 200); do [ -S "$work/node/keychain.sock" ] && break; sleep 0.05; done
export KEYCHAIN_SOCKET="$work/node/keychain.sock" KEYCHAIN_IDENTITY="$work/id.key"

echo "== import of $count keys at difficulty 12"
"$bin/keychain-cli" import "$work/keys.csv" --json | tee "$work/import.json"
import_rate=$(python3 -c "import json;print(round(json.load(open('$work/import.json'))['putsPerSecond']))")

echo "== get over the node's socket"
node1=$("$load" --socket "$KEYCHAIN_SOCKET" --connections 1 --requests 100000 --keys "$count")
node50=$("$load" --socket "$KEYCHAIN_SOCKET" --connections 50 --requests 200000 --keys "$count")
echo "1 connection:   $node1"
echo "50 connections: $node50"

echo "== redis-server GET over a Unix socket (same machine, same run)"
redis-server --port 0 --unixsocket "$work/redis.sock" --save "" --appendonly no --daemonize no >/dev/null &
redis_pid=$!
for _ in $(seq 1 200); do [ -S "$work/redis.sock" ] && break; sleep 0.05; done
redis-benchmark -s "$work/redis.sock" -t set -n "$count" -r "$count" -d 100 -q >/dev/null
redis1=$(redis-benchmark -s "$work/redis.sock" -t get -n 100000 -r "$count" -d 100 -c 1 --csv | tail -1)
redis50=$(redis-benchmark -s "$work/redis.sock" -t get -n 200000 -r "$count" -d 100 -c 50 --csv | tail -1)
echo "1 connection:   $redis1"
echo "50 connections: $redis50"

echo "== get on one connection while the node validates a peer's blocks"
kill "$node_pid" && wait "$node_pid" 2>/dev/null || true
node_pid=""
during=$("$root/Benchmarks/.build/release/ReadsDuringValidation" --load "$load")
echo "$during"

python3 - "$import_rate" "$node1" "$node50" "$redis1" "$redis50" "$during" <<'PY'
import json, sys
imp, n1, n50, r1, r50, during = sys.argv[1:]
n1, n50, during = json.loads(n1), json.loads(n50), json.loads(during)
def redis_rps(line):
    fields = [f.strip('"') for f in line.split('","')]
    return float(fields[1])
r1, r50 = redis_rps(r1), redis_rps(r50)
print()
print(f"import: {int(imp):,} confirmed puts/s (target >= 20,000)")
print(f"get, 1 connection:   {n1['opsPerSecond']:,.0f} ops/s  p50 {n1['p50us']:.0f} us  p99 {n1['p99us']:.0f} us  = {n1['opsPerSecond']/r1:.2f}x redis ({r1:,.0f}/s; target >= 0.5x)")
print(f"get, 50 connections: {n50['opsPerSecond']:,.0f} ops/s  p50 {n50['p50us']:.0f} us  p99 {n50['p99us']:.0f} us  = {n50['opsPerSecond']/r50:.2f}x redis ({r50:,.0f}/s)")
print(f"get while validating a peer's blocks ({during['validatedTxPerSecond']:,.0f} tx/s of new authors): "
      f"p50 {during['loadedP50us']:.0f} us  p99 {during['loadedP99us']:.0f} us, idle p50 {during['idleP50us']:.0f} us  p99 {during['idleP99us']:.0f} us "
      f"= p99 {during['p99Ratio']:.2f}x idle (target <= 3x){'  [blocks ran out before the run ended]' if during['blocksRanOut'] else ''}")
PY
