#!/usr/bin/env python3
"""Fault resistance on real processes: a tracker and 5 mining nodes, each a host of its own in a
network namespace (10.203.0.x on a bridge; root only), under a steady write load through every
node. Faults, in turn: kill -9 one node and restart it; kill -9 two at once and restart them;
partition the network 3/2 (the two hosts moved to a second bridge) with writes on both sides,
then heal; stop the tracker. Afterwards every write acknowledged as confirmed is looked up,
with its full history, on every node.

    python3 experiments/faults.py            # about 4 minutes of faults
    python3 experiments/faults.py --quick    # the same faults, compressed into about 80 s

Writes experiments/results/faults-timeline.csv (confirmed writes per node over time),
faults.csv (one row per fault), faults-summary.csv and experiments/plots/faults.png."""

import os
import subprocess
import threading
import time

import lab

NODES = 5
SUBNET = "10.203.0"


class Lab:
    """Hosts in network namespaces joined by a bridge in a switch namespace of their own; a
    partition moves some hosts' links to a second bridge."""

    def __init__(self, hosts):
        tag = str(os.getpid() % 100_000)
        self.switch = f"kcsw{tag}"
        self.hosts = [f"kch{tag}n{index}" for index in range(hosts)]
        self.links = [f"kc{tag}v{index}" for index in range(hosts)]
        self.run("ip", "netns", "add", self.switch)
        for bridge in ("br0", "br1"):
            self.run("ip", "-n", self.switch, "link", "add", bridge, "type", "bridge")
            self.run("ip", "-n", self.switch, "link", "set", bridge, "up")
        for index, (host, link) in enumerate(zip(self.hosts, self.links)):
            self.run("ip", "netns", "add", host)
            self.run("ip", "link", "add", link, "netns", self.switch, "type", "veth", "peer", "name", "eth0", "netns", host)
            self.run("ip", "-n", self.switch, "link", "set", link, "master", "br0", "up")
            self.run("ip", "-n", host, "addr", "add", f"{self.address(index)}/24", "dev", "eth0")
            self.run("ip", "-n", host, "link", "set", "eth0", "up")
            self.run("ip", "-n", host, "link", "set", "lo", "up")

    @staticmethod
    def run(*command):
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    @staticmethod
    def address(index):
        return f"{SUBNET}.{10 + index}"

    def move(self, indices, bridge):
        for index in indices:
            self.run("ip", "-n", self.switch, "link", "set", self.links[index], "master", bridge)

    def close(self):
        for name in self.hosts + [self.switch]:
            subprocess.run(["ip", "netns", "delete", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Writer(threading.Thread):
    """Puts through one node's wallet at a steady rate; each is followed until the node reports
    it confirmed (the acknowledgement)."""

    def __init__(self, path, index, rate):
        super().__init__(daemon=True)
        self.path, self.index, self.interval = path, index, 1 / rate
        self.pending, self.acknowledged, self.failed, self.lost, self.running = {}, {}, 0, 0, True
        self.start()

    def run(self):
        sequence = 0
        next_put = time.time()
        while self.running:
            if time.time() >= next_put:
                key = f"fault/n{self.index}/{sequence:06d}"
                sequence += 1
                try:
                    self.pending[key] = lab.rpc(self.path, "put", {"key": key, "value": f"written through node {self.index}"},
                                                timeout=2)["txid"]
                except (OSError, lab.RPCError):
                    self.failed += 1
                next_put += self.interval
            self.follow()
            time.sleep(max(0.0, min(next_put - time.time(), 0.05)))

    def follow(self):
        for key, txid in list(self.pending.items())[:50]:
            try:
                status = lab.rpc(self.path, "tx", {"txid": txid}, timeout=2)
            except OSError:
                return
            except lab.RPCError:
                # Unknown to the node: taken in, then lost with the process before it was
                # relayed or mined. Never acknowledged, so nothing promised is lost.
                self.lost += 1
                del self.pending[key]
                continue
            if status["status"] == "confirmed":
                self.acknowledged[key] = (txid, status["block"], time.time())
                del self.pending[key]
            elif status["status"] in ("rejected", "evicted"):
                del self.pending[key]


def main():
    options = lab.arguments("Fault resistance on real processes in network namespaces.")
    if os.geteuid() != 0:
        raise SystemExit("faults.py needs root: it creates network namespaces (ip netns) for the hosts")
    scale = 0.3 if options.quick else 1.0

    def at(seconds):
        return seconds * scale
    timeline, faults = [], []
    namespaces = Lab(NODES + 1)
    try:
        with lab.Children() as children:
            network = lab.Network(children, options.bin, options.work, difficulty=17, hash_rates=[25_000] * NODES,
                                  base_port=7_800, namespaces=namespaces.hosts[:NODES],
                                  tracker_namespace=namespaces.hosts[NODES], tracker_address=namespaces.address(NODES))
            network.wait_ready(peers=2, seconds=120)
            lab.progress(f"{NODES} nodes in their namespaces, connected")
            writers = [Writer(network.socket(index), index, 4) for index in range(NODES)]
            began = time.time()
            stop_sampling = threading.Event()

            def sample():
                while not stop_sampling.is_set():
                    now = time.time() - began
                    for index in range(NODES):
                        try:
                            status = network.status(index)
                            timeline.append({"t_s": round(now, 2), "node": index, "height": status["height"],
                                             "tip": status["tip"][:16], "confirmed_writes": status["keys"], "peers": status["peers"]})
                        except (OSError, lab.RPCError):
                            timeline.append({"t_s": round(now, 2), "node": index, "height": "", "tip": "", "confirmed_writes": "",
                                             "peers": ""})
                    time.sleep(0.5)
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()

            def wait_until(seconds):
                time.sleep(max(0.0, began + seconds - time.time()))

            def converge(what, indices, started, seconds=180):
                def agreed():
                    heights = {network.status(index)["height"] for index in indices}
                    tips = {network.status(index)["tip"] for index in indices}
                    return len(tips) == 1 and len(heights) == 1
                lab.wait_for(what, agreed, seconds, 0.1)
                return round(time.time() - started, 2)

            def crash(indices, killed_at, restarted_at, name):
                wait_until(at(killed_at))
                lab.progress(f"kill -9 {name}")
                for index in indices:
                    network.nodes[index].kill9()
                faults.append({"fault": f"kill -9 {name}", "start_s": round(time.time() - began, 1)})
                wait_until(at(restarted_at))
                for index in indices:
                    network.start(index)
                restarted = time.time()
                faults[-1]["end_s"] = round(restarted - began, 1)
                faults[-1]["converge_s"] = converge(f"{name} caught up", range(NODES), restarted)
                lab.progress(f"{name} restarted, all agree after {faults[-1]['converge_s']} s")

            crash([4], 30, 45, "node 4")
            crash([2, 3], 75, 90, "nodes 2 and 3")

            wait_until(at(120))
            lab.progress("partition {0, 1, 2} / {3, 4}")
            namespaces.move([3, 4], "br1")
            faults.append({"fault": "partition 3/2", "start_s": round(time.time() - began, 1)})
            wait_until(at(160))
            namespaces.move([3, 4], "br0")
            healed = time.time()
            faults[-1]["end_s"] = round(healed - began, 1)
            faults[-1]["converge_s"] = converge("one chain after the partition", range(NODES), healed)
            lab.progress(f"healed, one chain after {faults[-1]['converge_s']} s")

            wait_until(at(190))
            lab.progress("tracker stopped")
            network.tracker.stop()
            faults.append({"fault": "tracker stopped", "start_s": round(time.time() - began, 1)})
            wait_until(at(220))
            faults[-1]["end_s"] = round(time.time() - began, 1)
            faults[-1]["converge_s"] = converge("one chain without the tracker", range(NODES), time.time())

            for writer in writers:
                writer.running = False
            for writer in writers:
                writer.join()
            # Writes still pending are followed to the end: mined or not, they are not yet
            # acknowledged and do not count.
            settle = time.time()
            while any(writer.pending for writer in writers) and time.time() - settle < at(60):
                for writer in writers:
                    writer.follow()
                time.sleep(0.2)
            final = converge("one chain at the end", range(NODES), time.time())
            stop_sampling.set()
            sampler.join()

            acknowledged = {key: value for writer in writers for key, value in writer.acknowledged.items()}
            found = remined = 0
            for key, (txid, block, _) in acknowledged.items():
                histories = [lab.history(network.socket(index), key) for index in range(NODES)]
                if all(len(versions) == 1 and versions[0]["txid"] == txid for versions in histories):
                    found += 1
                    if histories[0][0]["block"] != block:
                        remined += 1
            partition_fault = faults[2]
            summary = {
                "writes_submitted": sum(len(w.acknowledged) + len(w.pending) + w.lost for w in writers),
                "writes_refused_or_unreachable": sum(w.failed for w in writers),
                "writes_lost_before_acknowledgement": sum(w.lost for w in writers),
                "writes_never_confirmed": sum(len(w.pending) for w in writers),
                "acknowledged_confirmed": len(acknowledged), "found_on_every_node": found,
                "remined_in_another_block": remined, "final_converge_s": final,
                "partition_start_s": partition_fault["start_s"], "partition_end_s": partition_fault["end_s"],
            }
            lab.progress(f"acknowledged as confirmed {len(acknowledged)}, found with their full history on every node {found}, "
                         f"re-mined in another block {remined}")
    finally:
        namespaces.close()
    lab.write_csv(os.path.join(options.out, "faults-timeline.csv"), ["t_s", "node", "height", "tip", "confirmed_writes", "peers"], timeline)
    lab.write_csv(os.path.join(options.out, "faults.csv"), ["fault", "start_s", "end_s", "converge_s"], faults)
    lab.write_csv(os.path.join(options.out, "faults-summary.csv"), list(summary), [summary])
    if not options.no_plots:
        plot(timeline, faults, options.plots)


def plot(timeline, faults, folder):
    plt = lab.pyplot()
    figure, axis = plt.subplots(figsize=(8, 3.8))
    for index in range(NODES):
        points = [(row["t_s"], row["confirmed_writes"]) for row in timeline if row["node"] == index and row["confirmed_writes"] != ""]
        # Widest first: where nodes agree their curves coincide, and each stays visible
        # around the ones drawn over it.
        axis.plot([p[0] for p in points], [p[1] for p in points], "-", drawstyle="steps-post", lw=4.2 - 0.8 * index, alpha=0.85,
                  label=f"node {index}")
    for fault in faults:
        axis.axvspan(fault["start_s"], fault["end_s"], alpha=0.15, color="red")
        axis.text(fault["start_s"], axis.get_ylim()[1] * 0.97, fault["fault"], fontsize=6, va="top", rotation=90)
    axis.set(xlabel="seconds", ylabel="keys on the node (a key a write)", title="Keys on every node (each write is a new key); faults shaded")
    axis.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(os.path.join(folder, "faults.png"))
    lab.progress(f"plotted {os.path.join(folder, 'faults.png')}")


if __name__ == "__main__":
    main()
