#!/usr/bin/env python3
"""The devnet retargeting benchmark's driver (devnet-retarget-bench.sh runs it).

Starts `keychain-devnet --difficulty BITS` (three nodes, one mining thread each, capped at
400,000 hashes a second), waits for it to connect, starts importing keys through node 1 and
for SECONDS polls every node's `status` twice a second. Then:
- one chain: at each poll, the three nodes hold the same block at the lowest of their heights
  less one (a tip a few milliseconds from reaching a node does not count as a fork). The
  devnet is on one chain from the first poll after which every poll agrees;
- the interval: from node 1's best chain at the end, the mean of the last 30 intervals at each
  block (header timestamps). The interval settles at the first block from which every such
  mean is within 1 s ± 30%.

Usage: devnet_retarget_bench.py ROOT WORK SECONDS BITS. Every process it starts is stopped by
its PID (the devnet stops its own children).
"""
import json
import os
import statistics
import sys
import time

root, work, seconds, bits = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
release = os.path.join(root, ".build/release")
sys.path.insert(0, os.path.join(root, "experiments"))
from lab import Children, RPCError, free_ports, rpc, wait_for  # noqa: E402  (the experiments' shared helpers)

WINDOW, BAND = 30, 0.30
data = os.path.join(work, "devnet")
keys = os.path.join(work, "keys.csv")
with open(keys, "w") as handle:
    for index in range(2_000_000):
        handle.write(f"retarget/{index:07d},{'v' * 24}\n")

with Children() as children:
    base = free_ports(110)
    children.start("devnet", [os.path.join(release, "keychain-devnet"), "--data-dir", data, "--base-port", str(base),
                              "--difficulty", str(bits), "--log-level", "warning"], os.path.join(work, "devnet.log"))
    wait_for("the devnet", lambda: "all connected" in open(os.path.join(work, "devnet.log")).read(), 120)
    sockets = [os.path.join(data, f"node{i}", "keychain.sock") for i in (1, 2, 3)]
    environment_file = os.path.join(work, "id.key")
    began = time.time()
    children.start("import", ["env", f"KEYCHAIN_SOCKET={sockets[0]}", f"KEYCHAIN_IDENTITY={environment_file}",
                              os.path.join(release, "keychain-cli"), "import", keys, "--json"], os.path.join(work, "import.log"))
    polls = []  # (seconds since the import began, agreed on one chain, heights)
    while time.time() - began < seconds:
        try:
            statuses = [rpc(path, "status") for path in sockets]
            heights = [status["height"] for status in statuses]
            common = max(min(heights) - 1, 0)
            hashes = {rpc(path, "block", {"height": common})["hash"] for path in sockets}
            polls.append((time.time() - began, len(hashes) == 1, heights))
        except (OSError, RPCError, KeyError, ValueError):
            polls.append((time.time() - began, False, []))
        time.sleep(0.5)
    last = rpc(sockets[0], "status")
    puts = last["keys"]
    # Header timestamps of node 1's best chain, from genesis.
    stamps = [rpc(sockets[0], "block", {"height": height})["timestamp"] for height in range(0, last["height"] + 1)]

agreed_from = None
for index, (_, agreed, _) in enumerate(polls):
    if all(later for _, later, _ in polls[index:]):
        agreed_from = polls[index][0]
        break
disagreements = sum(1 for _, agreed, _ in polls if not agreed)
start_ms = stamps[0]
means = [(stamps[i] - start_ms, (stamps[i] - stamps[i - WINDOW]) / WINDOW) for i in range(WINDOW, len(stamps))]
# Time is counted from the import's start; the genesis timestamp is the devnet's creation, a moment before.
offset = (began * 1000 - start_ms)
settled_from = None
for index, (_, mean) in enumerate(means):
    if all(abs(later - 1000) <= BAND * 1000 for _, later in means[index:]):
        settled_from = (means[index][0] - offset) / 1000
        break
late = [b - a for a, b in zip(stamps, stamps[1:])][-60:]
result = {
    "bits": bits, "seconds": seconds, "height": len(stamps) - 1, "putsConfirmedOnNode1": puts,
    "oneChainFromSeconds": None if agreed_from is None else round(agreed_from, 1), "pollsDisagreeing": disagreements,
    "polls": len(polls), "intervalSettledFromSeconds": None if settled_from is None else round(settled_from, 1),
    "last60IntervalsMeanMs": round(statistics.mean(late)) if late else None,
    "last60IntervalsMedianMs": round(statistics.median(late)) if late else None,
}
print(json.dumps(result))
met = lambda value: value is not None and value <= 120
print(f"devnet from {bits} bits under an import: one chain from {result['oneChainFromSeconds']} s "
      f"({disagreements} of {len(polls)} polls saw the nodes on different chains); "
      f"{WINDOW}-block mean interval within 1 s ± 30% from {result['intervalSettledFromSeconds']} s; "
      f"last 60 intervals: mean {result['last60IntervalsMeanMs']} ms; height {result['height']}, {puts} keys on node 1. "
      f"Target (both within 120 s): {'met' if met(agreed_from) and met(settled_from) else 'NOT met'}")
