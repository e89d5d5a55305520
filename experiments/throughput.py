#!/usr/bin/env python3
"""Throughput against difficulty, on real processes: for each difficulty, a fresh network of a
tracker and 3 mining nodes with fixed hash-rate caps, an import that saturates it (more puts
than it can confirm at once) through node 0, and a probe that writes one put a second through
node 1 and times its confirmation. Per difficulty: confirmed puts/s, the block interval's mean
and spread, confirmation latency p50/p95, the stale-block rate, the measured hash rate and the
header propagation to all three nodes.

    python3 experiments/throughput.py            # difficulty 8 to 24 bits (about 15 min)
    python3 experiments/throughput.py --quick    # 12, 15 and 18 bits, fewer puts

Writes experiments/results/throughput.csv and experiments/plots/throughput.png."""

import os
import re
import statistics
import subprocess
import threading
import time

import lab

HASH_RATE = 200_000  # each of the 3 miners


class Probe(threading.Thread):
    """One put a second through a node's wallet, each timed until it is in a block."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.latencies, self.running = path, [], True
        self.start()

    def run(self):
        sequence = 0
        while self.running:
            began = time.time()
            try:
                txid = lab.rpc(self.path, "put", {"key": f"probe/{sequence}", "value": "x"})["txid"]
                status = lab.rpc(self.path, "wait", {"txid": txid, "depth": 1, "timeoutMs": 600_000}, timeout=620)
                if status["status"] == "confirmed" and self.running:
                    self.latencies.append(time.time() - began)
            except (OSError, lab.RPCError):
                pass
            sequence += 1
            time.sleep(max(0.0, 1.0 - (time.time() - began)))


def one_difficulty(options, bits, puts, keys_file, limit):
    work = os.path.join(options.work, f"d{bits}")
    with lab.Children() as children:
        network = lab.Network(children, options.bin, work, difficulty=bits, hash_rates=[HASH_RATE] * 3)
        network.wait_ready(peers=2)
        start_height = network.status(0)["height"]
        watchers = [lab.TipWatcher(network.socket(index)) for index in range(3)]
        probe = Probe(network.socket(1))
        hash_rates = []
        began = time.time()
        environment = dict(os.environ, KEYCHAIN_SOCKET=network.socket(0), KEYCHAIN_IDENTITY=os.path.join(work, "id.key"))
        importer = subprocess.Popen([os.path.join(options.bin, "keychain-cli"), "import", keys_file, "--json", "--timeout", "1200"],
                                    env=environment, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        # Done when every imported key is confirmed on all three nodes (and every probe put the
        # probe saw confirmed: the probe stops once the import is done), or at the time limit:
        # at the lowest difficulties blocks come faster than nodes validate them, and the
        # network may never agree.
        converged = True
        statuses = []
        while True:
            try:
                statuses = [network.status(index) for index in range(3)]
            except (OSError, lab.RPCError):
                # A node too busy to answer within the RPC timeout: ask again, within the limit.
                if time.time() - began > limit:
                    converged = False
                    break
                continue
            hash_rates.append(sum(status["hashRate"] for status in statuses))
            if importer.poll() is not None:
                probe.running = False
                if all(status["keys"] >= puts + len(probe.latencies) for status in statuses):
                    break
            if time.time() - began > limit:
                converged = False
                break
            time.sleep(0.25)
        seconds = time.time() - began
        probe.running = False
        importer.kill()
        importer.wait()
        confirmed = min(puts, min(status["keys"] for status in statuses) - len(probe.latencies))
        end_height = statuses[0]["height"] if statuses else start_height
        blocks = []
        for height in range(max(start_height, end_height - 2_000), end_height + 1):
            try:
                blocks.append(lab.rpc(network.socket(0), "block", {"height": height}))
            except (OSError, lab.RPCError):
                break  # an overwhelmed node (the lowest difficulties): the intervals so far
        if not statuses:
            statuses = [{"keys": 0, "height": 0}] * 3
        stamps = [block["timestamp"] / 1_000 for block in blocks]
        intervals = [later - earlier for earlier, later in zip(stamps, stamps[1:])]
        # Every block that was some node's tip, against the blocks that stayed on the chain.
        seen = set()
        for index in range(3):
            for line in open(f"{work}/node{index}.log", errors="replace"):
                match = re.search(r"hash=([0-9a-f]{16}) height=(\d+)", line)
                if match and "new tip" in line and start_height < int(match.group(2)) <= end_height:
                    seen.add(match.group(1))
        chain = end_height - start_height
        stale = max(0, len(seen) - chain)
        delays = []
        for tip, first in list(watchers[0].arrivals.items()):
            times = [dict(watcher.arrivals).get(tip) for watcher in watchers]
            if all(times):
                delays.append((max(times) - min(times)) * 1_000)
        latencies = probe.latencies
        return {
            "difficulty_bits": bits, "puts": puts, "seconds": round(seconds, 2), "converged": int(converged),
            "confirmed_on_all": max(confirmed, 0), "confirmed_puts_per_s": round(max(confirmed, 0) / seconds, 1),
            "heights_at_end": "/".join(str(status["height"]) for status in statuses),
            "blocks": chain, "block_interval_mean_s": round(statistics.mean(intervals), 3) if intervals else "",
            "block_interval_stdev_s": round(statistics.stdev(intervals), 3) if len(intervals) > 1 else "",
            "expected_interval_s": round(2 ** bits / (3 * HASH_RATE), 3),
            "latency_p50_s": round(lab.percentile(latencies, 0.5), 3) if latencies else "",
            "latency_p95_s": round(lab.percentile(latencies, 0.95), 3) if latencies else "",
            "probes": len(latencies), "stale_blocks": stale, "stale_rate": round(stale / max(len(seen), 1), 3),
            "hash_rate": round(statistics.median(hash_rates)), "propagation_p50_ms": round(lab.percentile(delays, 0.5), 2) if delays else "",
            "propagation_p95_ms": round(lab.percentile(delays, 0.95), 2) if delays else "", **lab.provenance(),
        }


COLUMNS = ["difficulty_bits", "puts", "seconds", "converged", "confirmed_on_all", "heights_at_end", "confirmed_puts_per_s", "blocks", "block_interval_mean_s", "block_interval_stdev_s",
           "expected_interval_s", "latency_p50_s", "latency_p95_s", "probes", "stale_blocks", "stale_rate", "hash_rate",
           "propagation_p50_ms", "propagation_p95_ms", "commit", "machine"]


def main():
    options = lab.arguments("Confirmed puts/s, block interval, latency and stale blocks against difficulty (real processes).")
    difficulties = [12, 15, 18] if options.quick else [8, 10, 12, 14, 16, 18, 20, 22, 24]
    puts = 5_000 if options.quick else 60_000
    keys_file = lab.load_file(options.work, puts)
    rows = []
    for bits in difficulties:
        # Long enough for the import and about 10 blocks, however slow they come.
        limit = (60 if options.quick else 180) + 12 * 2 ** bits / (3 * HASH_RATE)
        row = one_difficulty(options, bits, puts, keys_file, limit)
        rows.append(row)
        lab.progress(f"difficulty {bits:>2}: {row['confirmed_puts_per_s']:>8} puts/s confirmed on all 3"
                     f"{'' if row['converged'] else ' (NOT CONVERGED: heights ' + row['heights_at_end'] + ')'}, {row['blocks']} blocks, "
                     f"interval {row['block_interval_mean_s']} s (expected {row['expected_interval_s']}), latency p50 "
                     f"{row['latency_p50_s']} s p95 {row['latency_p95_s']} s, stale {row['stale_rate']}, "
                     f"{row['hash_rate']:,} H/s, propagation p95 {row['propagation_p95_ms']} ms")
    lab.write_csv(os.path.join(options.out, "throughput.csv"), COLUMNS, rows)
    if not options.no_plots:
        plot(rows, options.plots)


def plot(rows, folder):
    plt = lab.pyplot()
    figure, axes = plt.subplots(1, 3, figsize=(11, 3.4))
    bits = [row["difficulty_bits"] for row in rows]
    axes[0].plot(bits, [row["confirmed_puts_per_s"] for row in rows], "o-")
    apart = [row for row in rows if not row["converged"]]
    axes[0].plot([row["difficulty_bits"] for row in apart], [row["confirmed_puts_per_s"] for row in apart], "x", color="red", ms=9,
                 label="nodes did not converge")
    if apart:
        axes[0].legend(fontsize=7)
    axes[0].set(yscale="log", xlabel="difficulty (bits)", ylabel="confirmed puts/s", title="Throughput")
    axes[1].plot(bits, [row["block_interval_mean_s"] or None for row in rows], "o-", label="measured mean")
    axes[1].plot(bits, [row["expected_interval_s"] for row in rows], ":", label="2^bits / hash rate")
    axes[1].plot(bits, [row["latency_p50_s"] or None for row in rows], "s--", label="confirmation p50")
    axes[1].set(yscale="log", xlabel="difficulty (bits)", ylabel="seconds", title="Block interval and latency")
    axes[1].legend(fontsize=7)
    axes[2].plot(bits, [row["stale_rate"] for row in rows], "o-")
    axes[2].set(xlabel="difficulty (bits)", ylabel="stale blocks / all blocks", title="Stale-block rate")
    figure.tight_layout()
    figure.savefig(os.path.join(folder, "throughput.png"))
    lab.progress(f"plotted {os.path.join(folder, 'throughput.png')}")


def replot(folder_in, folder_out):
    """Plots a throughput.csv again (after a change to the plot alone)."""
    import csv
    with open(os.path.join(folder_in, "throughput.csv")) as handle:
        rows = [{key: (float(value) if value not in ("",) and key not in ("heights_at_end", "commit", "machine") else value)
                 for key, value in row.items()}
                for row in csv.DictReader(handle)]
    for row in rows:
        row["converged"] = int(row["converged"])
    plot(rows, folder_out)


if __name__ == "__main__":
    main()
