#!/usr/bin/env python3
"""etcd measured here, beside KeyChain, with the same workload on the same machine: a 3-member
etcd cluster (Debian's etcd-server, installed when missing) and a 3-node KeyChain network at a
fixed difficulty, each fresh for every repeat. Per repeat and system:

- one sequential client: a put, its commit (etcd) or its confirmation in a block (KeyChain,
  depth 1), then the next, for a fixed time: puts/s and latency;
- the pipelined import: the same 13-byte keys and 100-byte values, 3 requests of 1,000 puts in
  flight (`keychain-cli import`'s default; a 1,000-put transaction for etcd): puts/s, and the CPU
  seconds servers and client spent per put;
- KeyChain only: open-loop probes, one put every 100 ms, each timed to depth 1 and to depth 6;
- failover: a client writing through one process (etcd's leader; a KeyChain node) is moved to
  the next when that process is killed with SIGKILL; the longest time with no acknowledged write
  in the 12 s around the kill, against the same figure in 12 s without a fault.

    python3 experiments/etcd.py            # 5 repeats (about 12 minutes)
    python3 experiments/etcd.py --quick    # 1 repeat, smaller (about 1.5 minutes)

Writes experiments/results/etcd.csv (one row per system, repeat and workload) and
experiments/plots/etcd.png."""

import base64
import http.client
import json
import os
import shutil
import subprocess
import threading
import time

import lab

KEYCHAIN_BITS = 19  # with three miners capped at 200,000 H/s: a block every 0.87 s
KEYCHAIN_HASH_RATE = 200_000
BATCH, IN_FLIGHT = 1_000, 3
COLUMNS = ["system", "repeat", "workload", "puts", "seconds", "puts_per_s", "latency_p50_ms", "latency_p95_ms", "latency_p99_ms",
           "latency_max_ms", "samples", "server_cpu_us_per_put", "client_cpu_us_per_put", "gap_ms", "baseline_gap_ms", "lost_writes",
           "commit", "machine"]


def install_etcd():
    if shutil.which("etcd"):
        return
    lab.progress("installing etcd-server from Debian")
    if os.geteuid() != 0:
        raise SystemExit("etcd is missing and installing it needs root: apt-get install etcd-server")
    subprocess.run(["sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server"],
                   check=True, stdout=subprocess.DEVNULL)


def own_cpu_seconds():
    times = os.times()
    return times.user + times.system


def row(system, repeat, workload, **values):
    base = {column: "" for column in COLUMNS}
    base.update(system=system, repeat=repeat, workload=workload, **lab.provenance())
    base.update(values)
    return base


def latency_columns(latencies):
    milliseconds = [value * 1_000 for value in latencies]
    if not milliseconds:
        return {"samples": 0}
    return {"latency_p50_ms": round(lab.percentile(milliseconds, 0.5), 2), "latency_p95_ms": round(lab.percentile(milliseconds, 0.95), 2),
            "latency_p99_ms": round(lab.percentile(milliseconds, 0.99), 2), "latency_max_ms": round(max(milliseconds), 2),
            "samples": len(milliseconds)}


def longest_gap(times, start, end):
    """The longest interval in [start, end] with no time of `times` in it, in ms."""
    inside = sorted(time_ for time_ in times if start <= time_ <= end)
    edges = [start] + inside + [end]
    return round(max(later - earlier for earlier, later in zip(edges, edges[1:])) * 1_000, 1)


# MARK: - etcd

class EtcdClient:
    """Puts through one member's JSON gateway (`/v3/kv/put`, `/v3/kv/txn`) on a kept-alive
    connection; a put returns once the cluster has committed it."""

    def __init__(self, port, timeout=5):
        self.port, self.timeout = port, timeout
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def call(self, path, body):
        try:
            self.connection.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
            response = self.connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            raise OSError(f"etcd member on port {self.port} did not answer")
        if response.status != 200:
            raise OSError(f"etcd answered {response.status}: {payload[:200]!r}")
        return json.loads(payload)

    @staticmethod
    def encoded(text):
        return base64.b64encode(text.encode()).decode()

    def put(self, key, value):
        self.call("/v3/kv/put", {"key": self.encoded(key), "value": self.encoded(value)})

    def put_all(self, pairs):
        operations = [{"requestPut": {"key": self.encoded(key), "value": self.encoded(value)}} for key, value in pairs]
        self.call("/v3/kv/txn", {"success": operations})

    def status(self):
        return self.call("/v3/maintenance/status", {})


class EtcdCluster:
    """Three members on 127.0.0.1, each with a data folder of its own."""

    def __init__(self, children, work, size=3):
        self.children, self.work = children, work
        os.makedirs(work, exist_ok=True)
        base = lab.free_ports(2 * size)
        self.client_ports = [base + index for index in range(size)]
        self.peer_ports = [base + size + index for index in range(size)]
        self.cluster = ",".join(f"m{index}=http://127.0.0.1:{port}" for index, port in enumerate(self.peer_ports))
        self.members = [self.start(index) for index in range(size)]
        self.wait_healthy()

    def start(self, index):
        client, peer = f"http://127.0.0.1:{self.client_ports[index]}", f"http://127.0.0.1:{self.peer_ports[index]}"
        command = ["etcd", "--name", f"m{index}", "--data-dir", f"{self.work}/m{index}", "--listen-client-urls", client,
                   "--advertise-client-urls", client, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                   "--initial-cluster", self.cluster, "--initial-cluster-state", "new", "--initial-cluster-token", "experiment",
                   # One transaction may carry a whole batch, as one KeyChain request does.
                   "--max-txn-ops", str(BATCH), "--log-level", "warn"]
        return self.children.start(f"etcd{index}", command, f"{self.work}/m{index}.log")

    def wait_healthy(self):
        lab.wait_for("etcd leader", lambda: self.leader() is not None, 60)

    def leader(self):
        """The index of the member every live member names as leader, or None."""
        named = set()
        ids = {}
        for index, member in enumerate(self.members):
            if not member.alive():
                continue
            status = EtcdClient(self.client_ports[index], timeout=2).status()
            named.add(status["leader"])
            ids[status["header"]["member_id"]] = index
        if len(named) != 1:
            return None
        return ids.get(named.pop())

    def pids(self):
        return [member.pid for member in self.members if member.alive()]


def etcd_repeat(options, repeat, puts, sequential_seconds, rows):
    work = os.path.join(options.work, f"etcd{repeat}")
    with lab.Children() as children:
        cluster = EtcdCluster(children, work)
        leader = cluster.leader()
        # One sequential client, through the leader.
        client = EtcdClient(cluster.client_ports[leader])
        latencies, began = [], time.time()
        while time.time() - began < sequential_seconds:
            start = time.time()
            client.put(f"seq/{len(latencies):08d}", "v" * 100)
            latencies.append(time.time() - start)
        seconds = time.time() - began
        rows.append(row("etcd", repeat, "sequential", puts=len(latencies), seconds=round(seconds, 2),
                        puts_per_s=round(len(latencies) / seconds, 1), **latency_columns(latencies)))
        # The pipelined import: 3 transactions of 1,000 puts in flight.
        batches = [[(f"load/{index:08d}", "v" * 100) for index in range(start, min(start + BATCH, puts))]
                   for start in range(0, puts, BATCH)]
        server_before, client_before, began = lab.cpu_seconds(cluster.pids()), own_cpu_seconds(), time.time()
        lock, cursor, failures = threading.Lock(), [0], []

        def importer():
            connection = EtcdClient(cluster.client_ports[leader], timeout=30)
            while True:
                with lock:
                    if cursor[0] == len(batches):
                        return
                    batch = batches[cursor[0]]
                    cursor[0] += 1
                try:
                    connection.put_all(batch)
                except OSError as error:
                    failures.append(str(error))
        threads = [threading.Thread(target=importer) for _ in range(IN_FLIGHT)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.time() - began
        if failures:
            raise RuntimeError(f"etcd refused {len(failures)} batches: {failures[0]}")
        rows.append(row("etcd", repeat, "pipelined", puts=puts, seconds=round(seconds, 2), puts_per_s=round(puts / seconds, 1),
                        server_cpu_us_per_put=round((lab.cpu_seconds(cluster.pids()) - server_before) * 1e6 / puts, 1),
                        client_cpu_us_per_put=round((own_cpu_seconds() - client_before) * 1e6 / puts, 1)))
        # Failover: a writer through the leader; the leader killed; the writer moves on.
        acknowledged, stop = [], threading.Event()

        def writer():
            order = [leader] + [index for index in range(3) if index != leader]
            current, sequence = 0, 0
            connection = EtcdClient(cluster.client_ports[order[current]], timeout=1)
            while not stop.is_set():
                try:
                    connection.put(f"failover/{sequence:08d}", "v" * 100)
                    acknowledged.append(time.time())
                    sequence += 1
                except OSError:
                    current = (current + 1) % 3
                    connection = EtcdClient(cluster.client_ports[order[current]], timeout=1)
        thread = threading.Thread(target=writer)
        began = time.time()
        thread.start()
        time.sleep(FAULT_FREE_SECONDS)  # the fault-free window the baseline gap is taken from
        killed_at = time.time()
        cluster.members[leader].kill9()
        lab.wait_for("writes after the kill", lambda: any(moment > killed_at + 1 for moment in acknowledged), 60)
        time.sleep(max(0.0, killed_at + AFTER_KILL_SECONDS - time.time()))
        stop.set()
        thread.join()
        rows.append(row("etcd", repeat, "failover", puts=len(acknowledged), samples=len(acknowledged),
                        gap_ms=longest_gap(acknowledged, killed_at - 2, killed_at + AFTER_KILL_SECONDS - 2),
                        baseline_gap_ms=longest_gap(acknowledged, began + 1, killed_at - 2), lost_writes=0))
        lab.progress(f"etcd repeat {repeat}: " + summary(rows[-3:]))


# MARK: - KeyChain

FAULT_FREE_SECONDS, AFTER_KILL_SECONDS = 15, 14


def keychain_repeat(options, repeat, puts, sequential_seconds, probes, keys_file, rows):
    work = os.path.join(options.work, f"keychain{repeat}")
    with lab.Children() as children:
        network = lab.Network(children, options.bin, work, difficulty=KEYCHAIN_BITS, hash_rates=[KEYCHAIN_HASH_RATE] * 3)
        network.wait_ready(peers=2)
        socket = network.socket(0)
        # One sequential client: a put, its block, the next.
        latencies, began = [], time.time()
        while time.time() - began < sequential_seconds:
            start = time.time()
            txid = lab.rpc(socket, "put", {"key": f"seq/{len(latencies):08d}", "value": "v" * 100})["txid"]
            status = lab.rpc(socket, "wait", {"txid": txid, "depth": 1, "timeoutMs": 60_000}, timeout=70)
            if status["status"] != "confirmed":
                raise RuntimeError(f"a sequential put was not confirmed in 60 s: {status}")
            latencies.append(time.time() - start)
        seconds = time.time() - began
        rows.append(row("keychain", repeat, "sequential", puts=len(latencies), seconds=round(seconds, 2),
                        puts_per_s=round(len(latencies) / seconds, 2), **latency_columns(latencies)))
        # Open-loop probes to depth 1 and depth 6.
        depth1, depth6 = [], []

        def probe(sequence):
            start = time.time()
            try:
                txid = lab.rpc(socket, "put", {"key": f"probe/{sequence:06d}", "value": "v" * 100})["txid"]
                lab.rpc(socket, "wait", {"txid": txid, "depth": 1, "timeoutMs": 60_000}, timeout=70)
                depth1.append(time.time() - start)
                lab.rpc(socket, "wait", {"txid": txid, "depth": 6, "timeoutMs": 90_000}, timeout=100)
                depth6.append(time.time() - start)
            except (OSError, lab.RPCError):
                pass
        threads = []
        for sequence in range(probes):
            threads.append(threading.Thread(target=probe, args=(sequence,)))
            threads[-1].start()
            time.sleep(0.1)
        for thread in threads:
            thread.join()
        rows.append(row("keychain", repeat, "depth1", **latency_columns(depth1)))
        rows.append(row("keychain", repeat, "depth6", **latency_columns(depth6)))
        # The pipelined import, until every put is confirmed on all three nodes.
        before = [network.status(index)["keys"] for index in range(3)]
        pids = [node.pid for node in network.nodes] + [network.tracker.pid]
        server_before, began = lab.cpu_seconds(pids), time.time()
        environment = dict(os.environ, KEYCHAIN_SOCKET=socket, KEYCHAIN_IDENTITY=os.path.join(work, "id.key"))
        importer = subprocess.Popen([os.path.join(options.bin, "keychain-cli"), "import", keys_file, "--json", "--timeout", "600",
                                     "--batch-size", str(BATCH), "--pipeline", str(IN_FLIGHT)],
                                    env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lab.wait_for("the import on all three nodes",
                     lambda: all(network.status(index)["keys"] >= before[index] + puts for index in range(3)), 600, interval=0.1)
        seconds = time.time() - began
        server_cpu = lab.cpu_seconds(pids) - server_before
        _, _, usage = os.wait4(importer.pid, 0)
        importer.returncode = 0
        rows.append(row("keychain", repeat, "pipelined", puts=puts, seconds=round(seconds, 2), puts_per_s=round(puts / seconds, 1),
                        server_cpu_us_per_put=round(server_cpu * 1e6 / puts, 1),
                        client_cpu_us_per_put=round((usage.ru_utime + usage.ru_stime) * 1e6 / puts, 1)))
        # Failover: puts through node 0 every 20 ms, confirmations seen as the node's `tx`
        # notifications; node 0 killed; the writer moves to node 1.
        rows.append(keychain_failover(network, repeat))
        lab.progress(f"keychain repeat {repeat}: " + summary(rows[-5:]))


def keychain_failover(network, repeat):
    """Puts through node 0 every 20 ms until node 0 is killed, then through node 1. A put counts
    as acknowledged when the block that holds it (on the survivor's chain) reached the node the
    put went through, as that node's `wait` would have answered its client."""
    taken, stop = [], threading.Event()  # (txid, node index)

    def writer():
        current, sequence = 0, 0
        while not stop.is_set():
            try:
                txid = lab.rpc(network.socket(current), "put", {"key": f"failover/{sequence:08d}", "value": "v" * 100}, timeout=2)["txid"]
                taken.append((txid, current))
                sequence += 1
            except (OSError, lab.RPCError):
                current = (current + 1) % 3
            time.sleep(0.02)
    watchers = [lab.TipWatcher(network.socket(index)) for index in range(3)]
    thread = threading.Thread(target=writer)
    began = time.time()
    thread.start()
    time.sleep(FAULT_FREE_SECONDS)
    killed_at = time.time()
    network.nodes[0].kill9()
    time.sleep(AFTER_KILL_SECONDS)
    stop.set()
    thread.join()
    survivor = network.socket(1)
    last = [txid for txid, node in taken if node != 0][-1:]
    lab.wait_for("the last put confirmed", lambda: all(lab.rpc(survivor, "tx", {"txid": txid})["status"] == "confirmed" for txid in last), 30)
    moments, lost = [], 0
    for txid, node in taken:
        try:
            status = lab.rpc(survivor, "tx", {"txid": txid})
        except lab.RPCError:  # never relayed before its node died
            status = {"status": "unknown"}
        if status["status"] != "confirmed":
            lost += 1
            continue
        moment = watchers[node].reached(status["block"], status["height"])
        if moment is not None:
            moments.append(moment)
    return row("keychain", repeat, "failover", puts=len(taken), samples=len(moments),
               gap_ms=longest_gap(moments, killed_at - 2, killed_at + AFTER_KILL_SECONDS - 2),
               baseline_gap_ms=longest_gap(moments, began + 1, killed_at - 2), lost_writes=lost)


def summary(rows):
    parts = []
    for entry in rows:
        if entry["workload"] == "failover":
            parts.append(f"failover gap {entry['gap_ms']} ms (no fault {entry['baseline_gap_ms']} ms, {entry['lost_writes']} lost)")
        elif entry["puts_per_s"] != "":
            parts.append(f"{entry['workload']} {entry['puts_per_s']} puts/s" + (f" p50 {entry['latency_p50_ms']} ms" if entry["latency_p50_ms"] != "" else ""))
        else:
            parts.append(f"{entry['workload']} p50 {entry['latency_p50_ms']} ms p95 {entry['latency_p95_ms']} ms")
    return "; ".join(parts)


def main():
    options = lab.arguments("etcd and KeyChain on the same machine and workload: sequential and pipelined puts, latency, failover.")
    install_etcd()
    repeats = 1 if options.quick else 5
    puts = 10_000 if options.quick else 60_000
    sequential_seconds = 5 if options.quick else 20
    probes = 30 if options.quick else 120
    global FAULT_FREE_SECONDS, AFTER_KILL_SECONDS
    if options.quick:
        FAULT_FREE_SECONDS, AFTER_KILL_SECONDS = 8, 8
    keys_file = lab.load_file(options.work, puts)
    rows = []
    for repeat in range(1, repeats + 1):
        etcd_repeat(options, repeat, puts, sequential_seconds, rows)
        keychain_repeat(options, repeat, puts, sequential_seconds, probes, keys_file, rows)
    lab.write_csv(os.path.join(options.out, "etcd.csv"), COLUMNS, rows)
    if not options.no_plots:
        plot(rows, options.plots)


def plot(rows, folder):
    plt = lab.pyplot()
    figure, axes = plt.subplots(1, 3, figsize=(11.5, 3.6))
    systems = ["etcd", "keychain"]
    labels = {"etcd": "etcd (3 members)", "keychain": "KeyChain (3 nodes)"}

    def values(system, workload, column):
        return [float(entry[column]) for entry in rows if entry["system"] == system and entry["workload"] == workload and entry[column] != ""]

    def bar(axis, position, data, colour, label=None):
        if not data:
            return
        ordered = sorted(data)
        middle = ordered[len(ordered) // 2]
        axis.bar(position, middle, width=0.38, color=colour, label=label,
                 yerr=[[middle - ordered[0]], [ordered[-1] - middle]], capsize=4)
    colours = {"etcd": "tab:blue", "keychain": "tab:orange"}
    for offset, system in enumerate(systems):
        for position, workload in enumerate(["sequential", "pipelined"]):
            bar(axes[0], position + offset * 0.4, values(system, workload, "puts_per_s"), colours[system], labels[system] if position == 0 else None)
    axes[0].set(xticks=[0.2, 1.2], xticklabels=["one sequential\nclient", "3 x 1,000 puts\nin flight"], yscale="log", ylabel="puts/s",
                title="Throughput (median and range)")
    axes[0].legend(fontsize=7)
    latency = [("etcd", "sequential", "etcd\ncommit"), ("keychain", "depth1", "KeyChain\ndepth 1"), ("keychain", "depth6", "KeyChain\ndepth 6")]
    for position, (system, workload, _) in enumerate(latency):
        for column, shade in (("latency_p50_ms", 1.0), ("latency_p99_ms", 0.45)):
            data = values(system, workload, column)
            if data:
                ordered = sorted(data)
                axes[1].errorbar(position + (0.15 if shade < 1 else -0.15), ordered[len(ordered) // 2],
                                 yerr=[[ordered[len(ordered) // 2] - ordered[0]], [ordered[-1] - ordered[len(ordered) // 2]]],
                                 fmt="o" if shade == 1 else "s", color=colours[system], alpha=shade, capsize=3)
    axes[1].set(xticks=range(3), xticklabels=[name for _, _, name in latency], yscale="log", ylabel="ms",
                title="Write latency (p50 dot, p99 square)")
    for offset, system in enumerate(systems):
        bar(axes[2], offset * 0.4, values(system, "failover", "gap_ms"), colours[system])
        bar(axes[2], 1 + offset * 0.4, values(system, "failover", "baseline_gap_ms"), colours[system])
    axes[2].set(xticks=[0.2, 1.2], xticklabels=["kill -9 of the\nwriter's process", "no fault"], ylabel="ms",
                title="Longest gap with no write acknowledged")
    figure.tight_layout()
    figure.savefig(os.path.join(folder, "etcd.png"))
    lab.progress(f"plotted {os.path.join(folder, 'etcd.png')}")


if __name__ == "__main__":
    main()
