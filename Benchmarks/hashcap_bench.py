#!/usr/bin/env python3
"""The hash-rate cap benchmark's driver (hashcap-bench.sh runs it): does `--hash-rate-limit` hold
at a difficulty where blocks come every few thousand hashes, and does `status` report the rate?

For each difficulty, one tracker and one mining node (one thread, capped at CAP hashes a
second) on 127.0.0.1; after 3 s, for SECONDS: the blocks the node found times 2^bits (the
hashes they took on average) over the time, against the cap, with its standard error (a block
count is Poisson: 1/sqrt(blocks) of the figure), and the median of `status`'s `hashRate` sampled
twice a second. The block count is the independent figure: it does not read the miner's own
counter.

Usage: hashcap_bench.py ROOT WORK CAP SECONDS BITS... [--binaries DIR]; DIR is another release
directory to measure the same way (a before-and-after). Prints one JSON line per difficulty.
Every process it starts is stopped by its PID.
"""
import json
import os
import shutil
import statistics
import sys
import time

arguments = sys.argv[1:]
release = None
if "--binaries" in arguments:
    at = arguments.index("--binaries")
    release = arguments[at + 1]
    del arguments[at:at + 2]
root, work, cap, seconds, bits_list = arguments[0], arguments[1], int(arguments[2]), float(arguments[3]), [int(b) for b in arguments[4:]]
own = os.path.join(root, ".build/release")
release = release or own
sys.path.insert(0, os.path.join(root, "experiments"))
from lab import Children, free_ports, rpc, wait_for  # noqa: E402  (the experiments' shared helpers)


for bits in bits_list:
    directory = os.path.join(work, f"bits{bits}")
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    base = free_ports(2)
    log = os.path.join(directory, "log")
    # Children stops each process it started by its PID, whatever happens, and each dies with this one.
    with Children() as children:
        children.start("tracker", [os.path.join(own, "keychain-tracker"), "--listen", f"127.0.0.1:{base}", "--state-dir",
                                   os.path.join(directory, "tracker"), "--difficulty", str(bits), "--fixed-difficulty",
                                   "--log-level", "warning"], log)
        socket_path = os.path.join(directory, "node", "keychain.sock")
        children.start("node", [os.path.join(release, "keychain-node"), "--tracker", f"127.0.0.1:{base}", "--listen",
                                f"127.0.0.1:{base + 1}", "--mine", "--mining-threads", "1", "--hash-rate-limit", str(cap),
                                "--data-dir", os.path.join(directory, "node"), "--log-level", "warning"], log)
        wait_for("the node's socket", lambda: rpc(socket_path, "status"), 60)
        time.sleep(3)  # past the first template and the first blocks
        first, began = rpc(socket_path, "status")["height"], time.time()
        reported = []
        while time.time() - began < seconds:
            reported.append(rpc(socket_path, "status")["hashRate"])
            time.sleep(0.5)
        last, ended = rpc(socket_path, "status")["height"], time.time()
        by_blocks = (last - first) * 2 ** bits / (ended - began)
        print(json.dumps({"bits": bits, "cap": cap, "blocks": last - first, "seconds": round(ended - began, 2),
                          "hashesPerSecondByBlocks": round(by_blocks), "capRatio": round(by_blocks / cap, 3),
                          "capRatioStandardError": round(by_blocks / cap / max(last - first, 1) ** 0.5, 3),
                          "reportedHashRateMedian": round(statistics.median(reported))}), flush=True)
