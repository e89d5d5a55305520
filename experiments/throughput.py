#!/usr/bin/env python3
"""Throughput and latency against difficulty, on real processes. For each difficulty, 5 runs,
each on a fresh network of a tracker and 3 mining nodes with fixed hash-rate caps: an import
through node 0 keeps more puts waiting than the network confirms, and once it has run for a
warm-up, a steady-state window of at least 30 expected blocks (15 s at least, 120 s at most, so
22 and 24 bits get a fixed window and a Poisson interval on their block count) measures the
puts confirmed in it, the blocks, the hash rate over it and the stale blocks. Open-loop probes
(Poisson arrivals, seeded) put through node 1 during the window and are timed to depth 1 and
depth 6. Beside them: an ingest baseline, the same import into the same network with mining
off (how fast the client and the three nodes take puts in when no block is made: the
validation rate of the analytic bound, and the client's share of the CPU), and the bound
min(validation rate, block capacity / expected interval).

    python3 experiments/throughput.py            # 8 difficulties x 5 runs and the baseline (about 71 min)
    python3 experiments/throughput.py --quick    # 12, 15 and 18 bits, one run each, short windows

Writes experiments/results/throughput-runs.csv (a row a run), throughput-baseline.csv (a row a
baseline run) and throughput.csv (a row a difficulty: medians, ranges, intervals, the bound),
and experiments/plots/throughput.png."""

import os
import random
import re
import statistics
import subprocess
import threading
import time

import lab

HASH_RATE = 200_000  # each of the 3 miners
TRANSACTION_BYTES = 224  # a put of a 13-byte key and a 100-byte value (Transaction+Encoding.swift)
MAX_BLOCK_BYTES = 3_000_000  # the network's default maxBlockSize
BLOCK_CAPACITY = (MAX_BLOCK_BYTES - 88 - 4) // TRANSACTION_BYTES  # puts a block: header 88, count 4
WARM_UP_S = 5


def expected_interval(bits):
    return 2 ** bits / (3 * HASH_RATE)


def window_seconds(bits, quick):
    if quick:
        return 6.0
    return min(120.0, max(15.0, 30 * expected_interval(bits)))


class Probes:
    """Open-loop probes: puts through one node at Poisson arrivals (whatever earlier ones are
    doing), each timed until it is 1 and 6 blocks deep on that node."""

    def __init__(self, path, rate, seed):
        self.path, self.rate, self.random = path, rate, random.Random(seed)
        self.sent, self.depth1, self.depth6, self.threads, self.running = 0, [], [], [], True
        self.sender = threading.Thread(target=self.send, daemon=True)
        self.sender.start()

    def send(self):
        while self.running:
            thread = threading.Thread(target=self.one, args=(self.sent,), daemon=True)
            self.sent += 1
            self.threads.append(thread)
            thread.start()
            time.sleep(self.random.expovariate(self.rate))

    def one(self, sequence):
        began = time.time()
        try:
            txid = lab.rpc(self.path, "put", {"key": f"probe/{sequence:06d}", "value": "v" * 100})["txid"]
            if lab.rpc(self.path, "wait", {"txid": txid, "depth": 1, "timeoutMs": 900_000}, timeout=910)["status"] != "confirmed":
                return
            self.depth1.append(time.time() - began)
            if lab.rpc(self.path, "wait", {"txid": txid, "depth": 6, "timeoutMs": 900_000}, timeout=910)["status"] == "confirmed":
                self.depth6.append(time.time() - began)
        except (OSError, lab.RPCError, ValueError):
            pass  # counted as censored: sent, never timed

    def stop_sending(self):
        self.running = False
        self.sender.join()

    def finished(self):
        return all(not thread.is_alive() for thread in self.threads)


def statuses(network):
    """The three nodes' status, or None if one is too busy to answer in time."""
    try:
        return [network.status(index) for index in range(3)]
    except (OSError, lab.RPCError, ValueError):
        return None


def import_process(options, network, work, keys_file):
    environment = dict(os.environ, KEYCHAIN_SOCKET=network.socket(0), KEYCHAIN_IDENTITY=os.path.join(work, "id.key"))
    return subprocess.Popen([os.path.join(options.bin, "keychain-cli"), "import", keys_file, "--json", "--timeout", "5"],
                            env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def one_run(options, bits, run, keys_file, seed):
    work = os.path.join(options.work, f"d{bits}-r{run}")
    window = window_seconds(bits, options.quick)
    with lab.Children() as children:
        network = lab.Network(children, options.bin, work, difficulty=bits, hash_rates=[HASH_RATE] * 3)
        network.wait_ready(peers=2)
        watchers = [lab.TipWatcher(network.socket(index)) for index in range(3)]
        importer = import_process(options, network, work, keys_file)
        time.sleep(WARM_UP_S if not options.quick else 3)
        # The window runs from one full set of statuses to the last one inside it: at the lowest
        # difficulties a node can be too busy to answer for seconds.
        first = lab.wait_for("a status from every node after the warm-up", lambda: statuses(network), 60)
        began = ended = time.time()
        nodes = [node.pid for node in network.nodes]
        cpu_before = (lab.cpu_seconds(nodes), lab.cpu_seconds([importer.pid]))
        probes = Probes(network.socket(1), rate=(24 if not options.quick else 5) / window, seed=seed)
        hash_rates, mempools, last = [], [], first
        while time.time() - began < window:
            time.sleep(0.25)
            sample = statuses(network)
            if sample:
                last, ended = sample, time.time()
                hash_rates.append(sum(status["hashRate"] for status in sample))
                mempools.append(sample[0]["mempool"])
        seconds = max(ended - began, 0.001)
        cpu = (lab.cpu_seconds(nodes) - cpu_before[0], lab.cpu_seconds([importer.pid]) - cpu_before[1])
        cpu_seconds = time.time() - began
        import_running = importer.poll() is None
        probes.stop_sending()
        importer.kill()
        importer.wait()
        # The probes' depth-6 confirmations, within 8 expected intervals (or 15 s).
        try:
            lab.wait_for("the probes' depth-6 confirmations", probes.finished, max(15, 8 * expected_interval(bits)), interval=0.25)
        except TimeoutError:
            pass  # the rest are censored, and counted so
        converged = 1
        try:
            lab.wait_for("the three nodes on one tip", lambda: network.converged(), 30, interval=0.25)
        except TimeoutError:
            converged = 0
        end = statuses(network) or last
        # The window as the median node saw it (by puts confirmed in it): at the lowest
        # difficulties the importing node falls far behind the others, and its count alone would
        # say 0; the median is what two of the three nodes reached at least.
        gains = [after["keys"] - before["keys"] for before, after in zip(first, last)]
        reference = sorted(range(3), key=lambda index: gains[index])[1]
        confirmed = max(0, gains[reference])
        node0 = max(0, gains[0])
        start_height, end_height = first[reference]["height"], last[reference]["height"]
        blocks = max(0, end_height - start_height)
        # Stale blocks: every block in the window's heights that was some node's tip, against the
        # blocks on the chain.
        seen = set()
        for index in range(3):
            for line in open(f"{work}/node{index}.log", errors="replace"):
                match = re.search(r"hash=([0-9a-f]{16}) height=(\d+)", line)
                if match and "new tip" in line and start_height < int(match.group(2)) <= end_height:
                    seen.add(match.group(1))
        stale = max(0, len(seen) - blocks)
        # Block intervals: when each height first arrived at the reference node.
        arrivals = {}
        for tip, moment in list(watchers[reference].arrivals.items()):
            height = watchers[reference].heights.get(tip, 0)
            if start_height <= height <= end_height:
                arrivals[height] = min(arrivals.get(height, moment), moment)
        ordered = [arrivals[height] for height in sorted(arrivals)]
        intervals = [later - earlier for earlier, later in zip(ordered, ordered[1:]) if later >= earlier]
        delays = []
        for tip in list(watchers[0].arrivals):
            times = [watcher.arrivals.get(tip) for watcher in watchers]
            if all(times) and began <= times[0] <= began + seconds:
                delays.append((max(times) - min(times)) * 1_000)
        low, high = lab.poisson_interval(blocks)
        rate = confirmed / seconds
        per_block = confirmed / blocks if blocks else 0
        return {
            "difficulty_bits": bits, "run": run, "seed": seed, "window_s": round(seconds, 2), "import_running_at_end": int(import_running),
            "reference_node": reference, "confirmed": confirmed, "confirmed_puts_per_s": round(rate, 1), "node0_puts_per_s": round(node0 / seconds, 1),
            "puts_per_s_poisson_low": round(per_block * low / seconds, 1), "puts_per_s_poisson_high": round(per_block * high / seconds, 1),
            "blocks": blocks, "blocks_poisson_low": round(low, 2), "blocks_poisson_high": round(high, 2),
            "puts_per_block": round(per_block, 1), "block_capacity": BLOCK_CAPACITY,
            "mempool_median": round(statistics.median(mempools)) if mempools else "",
            "block_interval_mean_s": round(seconds / blocks, 3) if blocks else "",
            "block_interval_stdev_s": round(statistics.stdev(intervals), 3) if len(intervals) > 1 else "",
            "expected_interval_s": round(expected_interval(bits), 4),
            "hash_rate": round(statistics.median(hash_rates)) if hash_rates else "", "hash_rate_cap": 3 * HASH_RATE,
            "probes": probes.sent, "depth1_timed": len(probes.depth1), "depth6_timed": len(probes.depth6),
            "depth1_p50_s": rounded(lab.percentile(probes.depth1, 0.5)), "depth6_p50_s": rounded(lab.percentile(probes.depth6, 0.5)),
            "stale_blocks": stale, "stale_rate": round(stale / max(len(seen), 1), 4),
            "propagation_p50_ms": rounded(lab.percentile(delays, 0.5), 1), "propagation_p95_ms": rounded(lab.percentile(delays, 0.95), 1),
            "node_cpu_cores": round(cpu[0] / cpu_seconds, 2), "client_cpu_cores": round(cpu[1] / cpu_seconds, 2),
            "converged": converged, "heights_at_end": "/".join(str(status["height"]) for status in end),
            # Kept for the summary, not written: every probe's latency.
            "_depth1": list(probes.depth1), "_depth6": list(probes.depth6), **lab.provenance(),
        }


def rounded(value, digits=3):
    return "" if value != value else round(value, digits)  # NaN (no sample) as an empty cell


def baseline_run(options, run, keys_file, puts):
    """The import into a network that does not mine: how fast the client and the three nodes
    take puts in (into node 0's mempool, and into all three), and the CPU each side spends."""
    work = os.path.join(options.work, f"baseline-r{run}")
    with lab.Children() as children:
        network = lab.Network(children, options.bin, work, difficulty=24, hash_rates=[HASH_RATE] * 3, mining=False)
        network.wait_ready(peers=2)
        nodes = [node.pid for node in network.nodes]
        node_cpu, began = lab.cpu_seconds(nodes), time.time()
        importer = import_process(options, network, work, keys_file)
        lab.wait_for("the import in node 0's mempool", lambda: network.status(0)["mempool"] >= puts, 600, interval=0.05)
        at_node0 = time.time() - began
        lab.wait_for("the import in every mempool", lambda: all(network.status(index)["mempool"] >= puts for index in range(3)), 600,
                     interval=0.05)
        at_all = time.time() - began
        node_cpu = lab.cpu_seconds(nodes) - node_cpu
        client_cpu = lab.cpu_seconds([importer.pid])  # its whole life: it started here
        importer.kill()
        importer.wait()
        return {"run": run, "puts": puts, "seconds_node0": round(at_node0, 2), "seconds_all": round(at_all, 2),
                "ingest_puts_per_s_node0": round(puts / at_node0, 1), "ingest_puts_per_s_all": round(puts / at_all, 1),
                "node_cpu_us_per_put": round(node_cpu * 1e6 / puts, 1), "client_cpu_us_per_put": round(client_cpu * 1e6 / puts, 1),
                "client_cpu_cores": round(client_cpu / at_node0, 2), **lab.provenance()}


RUN_COLUMNS = ["difficulty_bits", "run", "seed", "window_s", "import_running_at_end", "reference_node", "confirmed", "confirmed_puts_per_s",
               "node0_puts_per_s",
               "puts_per_s_poisson_low", "puts_per_s_poisson_high", "blocks", "blocks_poisson_low", "blocks_poisson_high",
               "puts_per_block", "block_capacity", "mempool_median", "block_interval_mean_s", "block_interval_stdev_s",
               "expected_interval_s", "hash_rate", "hash_rate_cap", "probes", "depth1_timed", "depth6_timed", "depth1_p50_s",
               "depth6_p50_s", "stale_blocks", "stale_rate", "propagation_p50_ms", "propagation_p95_ms", "node_cpu_cores",
               "client_cpu_cores", "converged", "heights_at_end", "commit", "machine"]
BASELINE_COLUMNS = ["run", "puts", "seconds_node0", "seconds_all", "ingest_puts_per_s_node0", "ingest_puts_per_s_all",
                    "node_cpu_us_per_put", "client_cpu_us_per_put", "client_cpu_cores", "commit", "machine"]
SUMMARY_COLUMNS = ["difficulty_bits", "runs", "converged_runs", "confirmed_puts_per_s", "puts_per_s_min", "puts_per_s_max",
                   "puts_per_s_poisson_low", "puts_per_s_poisson_high", "bound_puts_per_s", "blocks", "block_interval_mean_s",
                   "block_interval_min_s", "block_interval_max_s", "expected_interval_s", "puts_per_block", "hash_rate",
                   "hash_rate_min", "hash_rate_max", "stale_rate", "stale_rate_min", "stale_rate_max", "probes",
                   "depth1_p50_s", "depth1_p50_low", "depth1_p50_high", "depth1_p95_s", "depth1_p99_s", "depth6_timed",
                   "depth6_p50_s", "depth6_p50_low", "depth6_p50_high", "depth6_p95_s", "propagation_p95_ms",
                   "node_cpu_cores", "client_cpu_cores", "commit", "machine"]


def summarise(bits, runs, validation_rate):
    """One difficulty's runs: medians with the range across runs; the puts/s interval from the
    pooled block count (Poisson) times the pooled puts a block; latency percentiles over every
    probe, the median's 95% interval by order statistics; the bound."""
    def median(column):
        values = [float(run[column]) for run in runs if run[column] != ""]
        return statistics.median(values) if values else ""

    def extreme(column, pick):
        values = [float(run[column]) for run in runs if run[column] != ""]
        return pick(values) if values else ""
    window = sum(run["window_s"] for run in runs)
    blocks = sum(run["blocks"] for run in runs)
    confirmed = sum(run["confirmed"] for run in runs)
    low, high = lab.poisson_interval(blocks)
    per_block = confirmed / blocks if blocks else 0
    depth1 = [value for run in runs for value in run["_depth1"]]
    depth6 = [value for run in runs for value in run["_depth6"]]
    d1_low, d1_high = lab.median_interval(depth1)
    d6_low, d6_high = lab.median_interval(depth6)
    intervals = [float(run["block_interval_mean_s"]) for run in runs if run["block_interval_mean_s"] != ""]
    return {
        "difficulty_bits": bits, "runs": len(runs), "converged_runs": sum(run["converged"] for run in runs),
        "confirmed_puts_per_s": round(median("confirmed_puts_per_s"), 1), "puts_per_s_min": extreme("confirmed_puts_per_s", min),
        "puts_per_s_max": extreme("confirmed_puts_per_s", max),
        "puts_per_s_poisson_low": round(per_block * low / window, 1), "puts_per_s_poisson_high": round(per_block * high / window, 1),
        "bound_puts_per_s": round(min(validation_rate, BLOCK_CAPACITY / expected_interval(bits)), 1) if validation_rate else "",
        "blocks": blocks, "block_interval_mean_s": round(window / blocks, 3) if blocks else "",
        "block_interval_min_s": min(intervals) if intervals else "", "block_interval_max_s": max(intervals) if intervals else "",
        "expected_interval_s": round(expected_interval(bits), 4), "puts_per_block": round(per_block, 1),
        "hash_rate": median("hash_rate"), "hash_rate_min": extreme("hash_rate", min), "hash_rate_max": extreme("hash_rate", max),
        "stale_rate": round(median("stale_rate"), 4), "stale_rate_min": extreme("stale_rate", min), "stale_rate_max": extreme("stale_rate", max),
        "probes": sum(run["probes"] for run in runs),
        "depth1_p50_s": rounded(lab.percentile(depth1, 0.5)), "depth1_p50_low": rounded(d1_low), "depth1_p50_high": rounded(d1_high),
        "depth1_p95_s": rounded(lab.percentile(depth1, 0.95)), "depth1_p99_s": rounded(lab.percentile(depth1, 0.99)),
        "depth6_timed": len(depth6), "depth6_p50_s": rounded(lab.percentile(depth6, 0.5)), "depth6_p50_low": rounded(d6_low),
        "depth6_p50_high": rounded(d6_high), "depth6_p95_s": rounded(lab.percentile(depth6, 0.95)),
        "propagation_p95_ms": median("propagation_p95_ms"), "node_cpu_cores": median("node_cpu_cores"),
        "client_cpu_cores": median("client_cpu_cores"), **lab.provenance(),
    }


def main():
    options = lab.arguments("Confirmed puts/s, block interval, latency and stale blocks against difficulty (real processes).")
    difficulties = [12, 15, 18] if options.quick else [8, 11, 14, 16, 18, 20, 22, 24]
    repeats = 1 if options.quick else 5
    baseline_puts = 10_000 if options.quick else 100_000
    baseline_file = lab.load_file(options.work, baseline_puts, name="baseline.csv")
    baselines = []
    for run in range(repeats):
        baselines.append(baseline_run(options, run, baseline_file, baseline_puts))
        lab.progress(f"baseline run {run}: {baselines[-1]['ingest_puts_per_s_node0']:,} puts/s into node 0, "
                     f"{baselines[-1]['ingest_puts_per_s_all']:,} into all three (mining off); client "
                     f"{baselines[-1]['client_cpu_us_per_put']} us/put, nodes {baselines[-1]['node_cpu_us_per_put']} us/put")
    lab.write_csv(os.path.join(options.out, "throughput-baseline.csv"), BASELINE_COLUMNS, baselines)
    validation_rate = statistics.median(row["ingest_puts_per_s_all"] for row in baselines)
    runs, summaries = [], []
    for bits in difficulties:
        # Enough puts to keep a backlog through the warm-up and the window: 1.4 x the bound.
        window = window_seconds(bits, options.quick)
        bound = min(validation_rate, BLOCK_CAPACITY / expected_interval(bits))
        puts = int(min(500_000, 1.4 * bound * (window + WARM_UP_S) + 5_000))
        keys_file = lab.load_file(options.work, puts)
        these = []
        for run in range(repeats):
            row = one_run(options, bits, run, keys_file, seed=1_000 * bits + run)
            these.append(row)
            lab.progress(f"difficulty {bits:>2} run {run}: {row['confirmed_puts_per_s']:>8} puts/s over {row['window_s']} s "
                         f"({row['blocks']} blocks, {row['puts_per_block']} puts a block, backlog {row['mempool_median']}), "
                         f"{row['hash_rate']} H/s, stale {row['stale_rate']}, depth-1 p50 {row['depth1_p50_s']} s "
                         f"({row['depth1_timed']}/{row['probes']} probes), depth-6 p50 {row['depth6_p50_s']} s, "
                         f"{'converged' if row['converged'] else 'NOT CONVERGED: ' + row['heights_at_end']}")
        runs.extend(these)
        summaries.append(summarise(bits, these, validation_rate))
        lab.write_csv(os.path.join(options.out, "throughput-runs.csv"), RUN_COLUMNS, runs)
        lab.write_csv(os.path.join(options.out, "throughput.csv"), SUMMARY_COLUMNS, summaries)
    if not options.no_plots:
        plot(summaries, baselines, options.plots)


def plot(rows, baselines, folder):
    plt = lab.pyplot()
    figure, axes = plt.subplots(1, 3, figsize=(11, 3.5))
    bits = [float(row["difficulty_bits"]) for row in rows]

    def bars(column, low, high):
        middle = [float(row[column]) for row in rows]
        return middle, [[max(0.0, value - float(row[low] or value)) for value, row in zip(middle, rows)],
                        [max(0.0, float(row[high] or value) - value) for value, row in zip(middle, rows)]]
    middle, spread = bars("confirmed_puts_per_s", "puts_per_s_min", "puts_per_s_max")
    axes[0].errorbar(bits, middle, yerr=spread, fmt="o-", capsize=3, label="measured (median, range of 5)")
    axes[0].plot(bits, [float(row["bound_puts_per_s"]) for row in rows], ":", color="grey", label="bound")
    ingest = statistics.median(float(row["ingest_puts_per_s_all"]) for row in baselines)
    axes[0].axhline(ingest, color="green", lw=0.8, ls="--", label="ingest, mining off")
    axes[0].set(yscale="log", xlabel="difficulty (bits)", ylabel="confirmed puts/s", title="Throughput in the window")
    axes[0].legend(fontsize=7)
    middle, spread = bars("block_interval_mean_s", "block_interval_min_s", "block_interval_max_s")
    axes[1].errorbar(bits, middle, yerr=spread, fmt="o-", capsize=3, label="block interval (range of runs)")
    axes[1].plot(bits, [float(row["expected_interval_s"]) for row in rows], ":", color="grey", label="2^bits / hash-rate cap")
    for column, marker, label in (("depth1", "s--", "depth 1, p50"), ("depth6", "^--", "depth 6, p50")):
        present = [row for row in rows if row[f"{column}_p50_s"] != ""]
        values = [float(row[f"{column}_p50_s"]) for row in present]
        axes[1].errorbar([float(row["difficulty_bits"]) for row in present], values,
                         yerr=[[value - float(row[f"{column}_p50_low"]) for value, row in zip(values, present)],
                               [float(row[f"{column}_p50_high"]) - value for value, row in zip(values, present)]],
                         fmt=marker, capsize=3, label=f"latency {label} (95% CI)")
    axes[1].set(yscale="log", xlabel="difficulty (bits)", ylabel="seconds", title="Block interval and latency")
    axes[1].legend(fontsize=6)
    middle, spread = bars("stale_rate", "stale_rate_min", "stale_rate_max")
    axes[2].errorbar(bits, middle, yerr=spread, fmt="o-", capsize=3)
    axes[2].set(xlabel="difficulty (bits)", ylabel="stale blocks / all blocks", title="Stale-block rate (median, range)")
    figure.tight_layout()
    figure.savefig(os.path.join(folder, "throughput.png"))
    lab.progress(f"plotted {os.path.join(folder, 'throughput.png')}")


def replot(folder_in, folder_out):
    """Plots the committed CSVs again (after a change to the plot alone)."""
    import csv
    with open(os.path.join(folder_in, "throughput.csv")) as handle:
        rows = list(csv.DictReader(handle))
    with open(os.path.join(folder_in, "throughput-baseline.csv")) as handle:
        baselines = list(csv.DictReader(handle))
    plot(rows, baselines, folder_out)


if __name__ == "__main__":
    main()
