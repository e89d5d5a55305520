#!/usr/bin/env python3
"""The simulator against real processes on one configuration: 5 mining nodes, fully connected,
blocks about every second, 2 puts a second at random nodes, links of 50 +- 20 ms one way, and
the same with no added delay. Real processes run it first; the simulator then runs it with the
block interval the real network showed (the one figure it takes from outside) and the same
links, and the two are set side by side: how long a block takes to reach every node, and the
stale rate.

Link delay: this machine's kernel has no netem (CONFIG_NET_SCH_NETEM is not set), so each node
sits behind a relay of its own on 127.0.0.1 that holds every chunk of bytes, each way, for 30-70
ms (uniform, in order, as a TCP stream would deliver it), and advertises the relay's port
(`--advertise`): every connection to a node crosses its relay once, so each direction of a link
is delayed once, as a simulated link is.

    python3 experiments/calibration.py            # 3 runs of 90 s at 50 ms and at 0 ms, 10 simulator seeds each (about 12 min)
    python3 experiments/calibration.py --quick    # one run of 25 s at 50 ms

Writes experiments/results/calibration.csv (a row a run) and experiments/plots/calibration.png."""

import asyncio
import csv
import functools
import json
import os
import random
import subprocess
import threading
import time

import lab

NODES = 5
BITS = 18
HASH_RATE = 2 ** BITS // NODES  # each: together one block a second at the caps
PUTS_PER_SECOND = 2
JITTER_MS = 20


class DelayRelays(threading.Thread):
    """A TCP relay per node on 127.0.0.1: connections to `listen` go on to `target`, every chunk
    held for `latency` +- `jitter` ms (uniform) each way, never overtaking the one before."""

    def __init__(self, pairs, latency_ms, jitter_ms, seed):
        super().__init__(daemon=True)
        self.pairs, self.latency, self.jitter = pairs, latency_ms / 1_000, jitter_ms / 1_000
        self.random = random.Random(seed)
        self.loop = asyncio.new_event_loop()
        self.ready, self.servers = threading.Event(), []
        self.start()
        if not self.ready.wait(10):
            raise RuntimeError("the delay relays did not start")

    def run(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.listen())
        self.ready.set()
        self.loop.run_forever()

    async def listen(self):
        for listen, target in self.pairs:
            self.servers.append(await asyncio.start_server(functools.partial(self.connection, target), "127.0.0.1", listen))

    def delay(self):
        return max(0.0, self.latency + self.random.uniform(-self.jitter, self.jitter)) if self.latency else 0.0

    async def connection(self, target, reader, writer):
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self.pump(reader, upstream_writer), self.pump(upstream_reader, writer), return_exceptions=True)
        for end in (writer, upstream_writer):
            end.close()

    async def pump(self, reader, writer):
        queue, last = asyncio.Queue(), 0.0

        async def deliver():
            while True:
                release, data = await queue.get()
                wait = release - self.loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    writer.close()
                    return
                writer.write(data)
                await writer.drain()
        delivering = asyncio.ensure_future(deliver())
        try:
            while True:
                data = await reader.read(1 << 16)
                last = max(last, self.loop.time() + self.delay())
                queue.put_nowait((last, data))
                if not data:
                    break
            await delivering
        except (OSError, ConnectionError):
            delivering.cancel()
            writer.close()

    def stop(self):
        """Closes the listening sockets and stops the loop (the nodes, stopped first, have closed
        their connections)."""
        def close():
            for server in self.servers:
                server.close()
            # Connections still open end here: cancelled, they finish on the next turn.
            for task in asyncio.all_tasks(self.loop):
                task.cancel()
            self.loop.call_soon(self.loop.stop)
        self.loop.call_soon_threadsafe(close)
        self.join(10)


def real_run(options, latency, run, seconds):
    """One run on real processes; its row and each block's per-node delays."""
    work = os.path.join(options.work, f"real-{latency}ms-r{run}")
    base = lab.free_ports(2 * NODES + 1)
    relays_at = [base + 1 + NODES + index for index in range(NODES)]
    relays = DelayRelays([(relays_at[index], base + 1 + index) for index in range(NODES)], latency, JITTER_MS if latency else 0,
                         seed=run)
    try:
        with lab.Children() as children:
            network = lab.Network(children, options.bin, work, difficulty=BITS, hash_rates=[HASH_RATE] * NODES, base_port=base,
                                  node_arguments=[["--advertise", f"127.0.0.1:{port}"] for port in relays_at])
            network.wait_ready(peers=NODES - 1, seconds=90)
            watchers = [lab.TipWatcher(network.socket(index)) for index in range(NODES)]
            stop = threading.Event()
            generator = random.Random(run)

            def load():
                sequence = 0
                while not stop.wait(1 / PUTS_PER_SECOND):
                    try:
                        lab.rpc(network.socket(generator.randrange(NODES)), "put", {"key": f"calibration/{sequence}", "value": "v"})
                    except (OSError, lab.RPCError):
                        pass
                    sequence += 1
            threading.Thread(target=load, daemon=True).start()
            time.sleep(5)  # the first puts spread; blocks come as they will
            start_height = network.status(0)["height"]
            began = time.time()
            time.sleep(seconds)
            ended = time.time()
            end_height = network.status(0)["height"]
            stop.set()
            time.sleep(3)  # the window's last blocks reach every node
            delays, tips = [], set()
            for tip in list(watchers[0].arrivals):
                times = [watcher.arrivals.get(tip) for watcher in watchers]
                if all(times) and began <= min(times) <= ended:
                    delays.append(sorted((moment - min(times)) * 1_000 for moment in times))
            for watcher in watchers:
                tips.update(tip for tip, height in list(watcher.heights.items()) if start_height < height <= end_height)
            blocks = max(end_height - start_height, 1)
    finally:
        relays.stop()
    return {"source": "real", "latency_ms": latency, "run": run, "seconds": round(ended - began, 1), "blocks": end_height - start_height,
            "interval_s": round((ended - began) / blocks, 3), **figures(delays), "stale_rate": round(max(0, len(tips) - blocks) / max(len(tips), 1), 3),
            **lab.provenance()}, delays


def figures(delays):
    """Per block (delays to each node, sorted, the first 0): the time until every node had it,
    and the median node's; their median and p95 over the blocks."""
    reach = [block[-1] for block in delays]
    middle = [lab.percentile(block, 0.5) for block in delays]
    return {"blocks_timed": len(delays), "reach_all_p50_ms": round(lab.percentile(reach, 0.5), 1), "reach_all_p95_ms": round(lab.percentile(reach, 0.95), 1),
            "node_p50_ms": round(lab.percentile(middle, 0.5), 1)}


def simulated_run(options, latency, seed, seconds, interval_ms):
    path = os.path.join(options.work, f"sim-{latency}-{seed}.csv")
    command = [os.path.join(options.bin, "keychain-sim"), "--nodes", str(NODES), "--outbound", str(NODES - 1), "--latency", str(latency),
               "--jitter", str(JITTER_MS if latency else 0), "--tx-rate", str(PUTS_PER_SECOND), "--duration", str(seconds),
               "--block-interval", str(int(interval_ms)), "--seed", str(seed), "--json", "--out", path]
    report = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
    with open(path) as handle:
        rows = [row for row in csv.DictReader(handle) if int(row["nodes_reached"]) == NODES]
    # The per-block CSV has each block's p50 and max: the figures' inputs.
    reach = [float(row["max_ms"]) for row in rows]
    middle = [float(row["p50_ms"]) for row in rows]
    blocks = max(report["blocks"], 1)
    return {"source": "simulator", "latency_ms": latency, "run": seed, "seconds": seconds, "blocks": report["blocks"],
            "interval_s": round(interval_ms / 1_000, 3), "blocks_timed": len(rows),
            "reach_all_p50_ms": round(lab.percentile(reach, 0.5), 1), "reach_all_p95_ms": round(lab.percentile(reach, 0.95), 1),
            "node_p50_ms": round(lab.percentile(middle, 0.5), 1), "stale_rate": round(1 - report["blocksOnBestChain"] / blocks, 3),
            **lab.provenance()}, reach


COLUMNS = ["source", "latency_ms", "run", "seconds", "blocks", "interval_s", "blocks_timed", "reach_all_p50_ms", "reach_all_p95_ms",
           "node_p50_ms", "stale_rate", "commit", "machine"]


def main():
    options = lab.arguments("The simulator against real processes behind delaying relays: block propagation and stale rate.")
    latencies = [50] if options.quick else [50, 0]
    runs, seeds, seconds = (1, 2, 25) if options.quick else (3, 10, 90)
    rows, reach = [], {}
    for latency in latencies:
        real = []
        for run in range(runs):
            row, delays = real_run(options, latency, run, seconds)
            real.append(row)
            reach.setdefault(("real", latency), []).extend(block[-1] for block in delays)
            lab.progress(f"real, {latency} ms links, run {run}: {row['blocks']} blocks ({row['interval_s']} s apart), every node after "
                         f"p50 {row['reach_all_p50_ms']} ms / p95 {row['reach_all_p95_ms']} ms, stale {row['stale_rate']}")
        rows.extend(real)
        interval = 1_000 * sorted(row["interval_s"] for row in real)[len(real) // 2]
        for seed in range(1, seeds + 1):
            row, times = simulated_run(options, latency, seed, max(seconds, 60), interval)
            rows.append(row)
            reach.setdefault(("simulator", latency), []).extend(times)
        simulated = [row for row in rows if row["source"] == "simulator" and row["latency_ms"] == latency]
        lab.progress(f"simulator, {latency} ms links, {len(simulated)} seeds at {interval:.0f} ms blocks: every node after p50 "
                     f"{lab.percentile(reach[('simulator', latency)], 0.5):.1f} ms / p95 {lab.percentile(reach[('simulator', latency)], 0.95):.1f} ms")
    lab.write_csv(os.path.join(options.out, "calibration.csv"), COLUMNS, rows)
    if not options.no_plots:
        plot(reach, options.plots)


def plot(reach, folder):
    plt = lab.pyplot()
    figure, axis = plt.subplots(figsize=(6, 3.4))
    for (source, latency), values in sorted(reach.items()):
        ordered = sorted(values)
        if not ordered:
            continue
        axis.step(ordered, [(index + 1) / len(ordered) for index in range(len(ordered))], where="post",
                  ls="-" if source == "real" else "--", label=f"{source}, {latency} ms links ({len(ordered)} blocks)")
    axis.set(xscale="symlog", xlabel="time until every node had the block (ms)", ylabel="fraction of blocks",
             title="Block propagation, 5 nodes: real processes and the simulator")
    axis.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(os.path.join(folder, "calibration.png"))
    lab.progress(f"plotted {os.path.join(folder, 'calibration.png')}")


if __name__ == "__main__":
    main()
