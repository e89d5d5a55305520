#!/usr/bin/env python3
"""The devnet retargeting benchmark's driver (devnet-retarget-bench.sh runs it).

Each run starts `keychain-devnet --difficulty BITS` afresh (three nodes, one mining thread
each, capped at 400,000 hashes a second), waits for it to connect, imports keys through node 1
and for SECONDS polls every node's `status` twice a second (slower when the nodes are busy).
Then:
- one tip: the first poll at which the three nodes report the same tip. After it, at each poll,
  whether they hold the same block at the lowest of their heights less one (a block a moment
  from reaching a node is no fork), and the longest stretch of polls in a row that did not: a
  race between two blocks is proof of work's nature, a devnet that never converges (one node
  mining alone on a chain of its own) shows as a stretch that never ends;
- the interval, from node 1's best chain at the end (header timestamps): the first block from
  which the mean of the next 60 intervals is within 1 s ± 30% (the issue's figure), and the
  first from which every later 60-block mean is ("sustained": a minute of blocks is noisy, a
  60-interval mean has a standard error of 13%).

Usage: devnet_retarget_bench.py ROOT WORK SECONDS BITS RUNS. Every process it starts is stopped
by its PID (the devnet stops its own children).
"""
import json
import os
import statistics
import sys
import time

root, work, seconds, bits, runs = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
release = os.path.join(root, ".build/release")
sys.path.insert(0, os.path.join(root, "experiments"))
from lab import Children, RPCError, free_ports, rpc, wait_for  # noqa: E402  (the experiments' shared helpers)

WINDOW, BAND = 60, 0.30
keys = os.path.join(work, "keys.csv")
with open(keys, "w") as handle:
    for index in range(2_000_000):
        handle.write(f"retarget/{index:07d},{'v' * 24}\n")


def run_once(run):
    data = os.path.join(work, f"devnet{run}")
    log = os.path.join(work, f"devnet{run}.log")
    with Children() as children:
        base = free_ports(110)
        children.start("devnet", [os.path.join(release, "keychain-devnet"), "--data-dir", data, "--base-port", str(base),
                                  "--difficulty", str(bits), "--log-level", "warning"], log)
        wait_for("the devnet", lambda: "all connected" in open(log).read(), 120)
        sockets = [os.path.join(data, f"node{i}", "keychain.sock") for i in (1, 2, 3)]
        began = time.time()
        importer = children.start("import", ["env", f"KEYCHAIN_SOCKET={sockets[0]}", f"KEYCHAIN_IDENTITY={work}/id{run}.key",
                                             os.path.join(release, "keychain-cli"), "import", keys, "--json"],
                                  os.path.join(work, f"import{run}.log"))
        polls = []  # (seconds since the import began, agreed below the tips, the same tip)
        while time.time() - began < seconds:
            try:
                statuses = [rpc(path, "status") for path in sockets]
                common = max(min(status["height"] for status in statuses) - 1, 0)
                hashes = {rpc(path, "block", {"height": common})["hash"] for path in sockets}
                polls.append((time.time() - began, len(hashes) == 1, len({status["tip"] for status in statuses}) == 1))
            except (OSError, RPCError, KeyError, ValueError):
                polls.append((time.time() - began, False, False))
            time.sleep(0.5)
        importer.stop()
        last = rpc(sockets[0], "status", timeout=60)
        # A full block's answer lists its puts: read after the import, not under it.
        stamps = [rpc(sockets[0], "block", {"height": height}, timeout=60)["timestamp"] for height in range(0, last["height"] + 1)]

    one_tip = next((at for at, _, same in polls if same), None)
    longest, run_began, split = 0.0, None, 0
    for at, agreed, _ in polls:
        if one_tip is None or at < one_tip:
            continue
        if agreed:
            run_began = None
        else:
            split += 1
            run_began = at if run_began is None else run_began
            longest = max(longest, at - run_began + 0.5)
    # Seconds since the import began for a header timestamp (ms).
    since = lambda stamp: (stamp - began * 1000) / 1000
    within = [abs((stamps[i + WINDOW] - stamps[i]) / WINDOW - 1000) <= BAND * 1000 for i in range(1, len(stamps) - WINDOW)]
    first = next((since(stamps[i + 1]) for i, ok in enumerate(within) if ok), None)
    sustained = next((since(stamps[i + 1]) for i in range(len(within)) if all(within[i:])), None)
    late = [b - a for a, b in zip(stamps, stamps[1:]) if since(b) >= seconds - 60]
    result = {"run": run, "height": len(stamps) - 1, "keysOnNode1": last["keys"],
              "oneTipAtSeconds": None if one_tip is None else round(one_tip, 1), "pollsSplitAfter": split, "polls": len(polls),
              "longestSplitSeconds": round(longest, 1),
              "intervalWithinAtSeconds": None if first is None else round(first, 1),
              "intervalSustainedFromSeconds": None if sustained is None else round(sustained, 1),
              "lastMinuteMeanIntervalMs": round(statistics.mean(late)) if late else None,
              "blocksPer15s": [sum(1 for stamp in stamps[1:] if step <= since(stamp) < step + 15) for step in range(0, int(seconds), 15)]}
    print(json.dumps(result), flush=True)
    return result


results = [run_once(run) for run in range(1, runs + 1)]


def median(name):
    values = [r[name] for r in results]
    return None if any(v is None for v in values) else statistics.median(values)


met = lambda value, limit: value is not None and value <= limit
tip, split, within, sustained, late = (median(name) for name in
                                       ("oneTipAtSeconds", "longestSplitSeconds", "intervalWithinAtSeconds",
                                        "intervalSustainedFromSeconds", "lastMinuteMeanIntervalMs"))
print(f"devnet from {bits} bits under an import, median of {runs} run(s): one tip at {tip} s, the longest split after it "
      f"{split} s; the next {WINDOW} intervals' mean within 1 s ± 30% at {within} s (sustained from {sustained} s); "
      f"the last minute's mean interval {late} ms. Target (one tip and the interval within 120 s, no split of 10 s): "
      f"{'met' if met(tip, 120) and met(within, 120) and met(split, 10) else 'NOT met'}")
