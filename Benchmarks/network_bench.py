#!/usr/bin/env python3
"""The network benchmark's driver (network-bench.sh runs it): real processes on 127.0.0.1.

  import  a 3-node keychain-devnet; `keychain-cli import` of N keys through node 1 until every
          key is confirmed on all three; beside it, the same import into one `--dev` node.
  sync    a fresh node syncing a chain (SyncChain) from 2 peers: tx/s and blocks/s; `get` p99 on
          one connection of the syncing node, beside its idle p99 after the sync.
  headers propagation of each new tip to every node of the devnet: p50 and p95.

Prints one JSON object. Every process it starts is stopped by its PID.
"""
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time

root, work, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, os.path.join(root, "experiments"))
from lab import TipWatcher, percentile, rpc, wait_for  # noqa: E402  (the experiments' shared helpers)

release = os.path.join(root, ".build/release")
load = os.path.join(root, "Benchmarks/.build/release/NodeLoad")
synchain = os.path.join(root, "Benchmarks/.build/release/SyncChain")
started = []


def start(arguments, log):
    process = subprocess.Popen(arguments, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    started.append(process)
    return process


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def import_keys(socket_path, identity):
    """The client's summary and the CPU seconds it used."""
    environment = dict(os.environ, KEYCHAIN_SOCKET=socket_path, KEYCHAIN_IDENTITY=identity)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = subprocess.run([os.path.join(release, "keychain-cli"), "import", os.path.join(work, "keys.csv"), "--json"],
                            env=environment, capture_output=True, text=True, check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return json.loads(output.strip().splitlines()[-1]), cpu


def process_tree(pid):
    """`pid` and its descendants."""
    out = [pid]
    for child in subprocess.run(["ps", "--ppid", str(pid), "-o", "pid="], capture_output=True, text=True).stdout.split():
        out += process_tree(int(child))
    return out


def cpu_seconds(pids):
    """User and system CPU the processes have used so far (from /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


results = {}
try:
    # Baseline: one --dev node, no network, the same keys.
    dev = start([os.path.join(release, "keychain-node"), "--dev", "--difficulty", "12", "--data-dir", f"{work}/dev",
                 "--log-level", "warning"], f"{work}/dev.log")
    wait_for("the dev node", lambda: rpc(f"{work}/dev/keychain.sock", "status"), 60)
    begin, node_cpu = time.time(), cpu_seconds([dev.pid])
    _, client_cpu = import_keys(f"{work}/dev/keychain.sock", f"{work}/id.key")
    results["devImportPutsPerSecond"] = count / (time.time() - begin)
    results["devCpuPerPutMicroseconds"] = (cpu_seconds([dev.pid]) - node_cpu + client_cpu) / count * 1e6
    stop(dev)

    # A 3-node devnet: import through node 1 until all three have every key. Blocks come by
    # chance (proof of work), and an import of 100,000 puts spans about ten of them, so one
    # run's figure moves with the luck of the draw: three fresh devnets, the median counts.
    def devnet_import(run):
        data = f"{work}/devnet{run}"
        devnet = start([os.path.join(release, "keychain-devnet"), "--data-dir", data, "--base-port", "7470",
                        "--log-level", "warning"], f"{data}.log")
        sockets = [f"{data}/node{i}/keychain.sock" for i in (1, 2, 3)]
        wait_for("the devnet", lambda: "all connected" in open(f"{data}.log").read(), 120)
        watchers = [TipWatcher(path) for path in sockets]
        pids = process_tree(devnet.pid)
        begin, network_cpu = time.time(), cpu_seconds(pids)
        summary, client_cpu = import_keys(sockets[0], f"{work}/id{run}.key")
        # Polled every 100 ms: the poller must not load the nodes it measures.
        wait_for("every key on every node", lambda: all(rpc(path, "status")["keys"] >= count for path in sockets), 600, 0.1)
        rate = count / (time.time() - begin)
        # The tracker, the three nodes and the client: what the import cost the machine,
        # which moves far less with the luck of the blocks than the rate does.
        cpu = (cpu_seconds(pids) - network_cpu + client_cpu) / count * 1e6
        return devnet, watchers, rate, cpu

    rates, cpus = [], []
    for run in (1, 2, 3):
        devnet, watchers, rate, cpu = devnet_import(run)
        rates.append(rate)
        cpus.append(cpu)
        if run < 3:
            stop(devnet)
    results["devnetImportRuns"] = [round(rate) for rate in rates]
    results["devnetImportPutsPerSecond"] = sorted(rates)[1]
    results["devnetVsDev"] = results["devnetImportPutsPerSecond"] / results["devImportPutsPerSecond"]
    results["devnetCpuPerPutMicroseconds"] = sorted(cpus)[1]

    # Propagation, in the 30 s after the last import: for each tip seen by all three, the
    # last arrival minus the first.
    quiet = time.time()
    time.sleep(30)
    delays = []
    for tip, first in list(watchers[0].arrivals.items()):
        times = [watcher.arrivals.get(tip) for watcher in watchers]
        if all(times) and min(times) >= quiet:
            delays.append((max(times) - min(times)) * 1000)
    results["propagationBlocks"] = len(delays)
    results["propagationP50ms"] = percentile(delays, 0.50)
    results["propagationP95ms"] = percentile(delays, 0.95)
    stop(devnet)

    # Sync: a fresh node takes the SyncChain chain from two peers that hold it.
    chain = json.loads(subprocess.run([synchain, "--out", f"{work}/chain", "--blocks", "1000", "--puts", "100000",
                                       "--authors", "1000"], capture_output=True, text=True, check=True).stdout.splitlines()[-1])
    for name in ("a", "b"):
        subprocess.run(["cp", "-r", f"{work}/chain", f"{work}/{name}"], check=True)
    peers = []
    for name, port in (("a", 7501), ("b", 7502)):
        peers.append(start([os.path.join(release, "keychain-node"), "--data-dir", f"{work}/{name}", "--listen",
                            f"127.0.0.1:{port}", "--no-mine", "--log-level", "warning"], f"{work}/{name}.log"))
    for name in ("a", "b"):
        wait_for(f"peer {name}", lambda: rpc(f"{work}/{name}/keychain.sock", "status")["height"] == chain["blocks"], 60)

    def sync(run, with_gets):
        """One fresh node syncing from both peers; returns seconds taken and, with_gets, the
        p99s of `get` runs (one connection, 5,000 each, back to back) that ended before the
        sync did."""
        data = f"{work}/fresh{run}"
        fresh = f"{data}/keychain.sock"
        begin = time.time()
        syncing = start([os.path.join(release, "keychain-node"), "--data-dir", data, "--peer", "127.0.0.1:7501",
                         "--peer", "127.0.0.1:7502", "--genesis", f"{work}/chain/network.params", "--no-mine",
                         "--log-level", "warning"], f"{data}.log")
        wait_for("the fresh node's socket", lambda: os.path.exists(fresh) and rpc(fresh, "status"), 60)
        watcher = TipWatcher(fresh)

        def get_run():
            return json.loads(subprocess.run([load, "--socket", fresh, "--connections", "1", "--requests", "5000", "--keys",
                                              str(count)], capture_output=True, text=True, check=True).stdout)["p99us"]
        during = []

        def loaded_runs():
            while watcher.height < chain["blocks"]:
                p99 = get_run()
                if watcher.height < chain["blocks"]:
                    during.append(p99)
        loader = threading.Thread(target=loaded_runs)
        if with_gets:
            loader.start()
        wait_for("the sync", lambda: watcher.height >= chain["blocks"], 600)
        elapsed = time.time() - begin
        idle = []
        if with_gets:
            loader.join()
            idle = [get_run() for _ in range(max(len(during), 3))]
        stop(syncing)
        return elapsed, during, idle

    elapsed, _, _ = sync(1, with_gets=False)
    results["syncTxPerSecond"] = chain["puts"] / elapsed
    results["syncBlocksPerSecond"] = chain["blocks"] / elapsed
    results["syncSeconds"] = elapsed
    elapsed, during, idle = sync(2, with_gets=True)
    results["syncWithGetsSeconds"] = elapsed
    results["getRunsDuringSync"] = len(during)
    results["getDuringSyncP99us"] = percentile(during, 0.5) if during else float("nan")
    results["getIdleP99us"] = percentile(idle, 0.5)
    results["getP99Ratio"] = results["getDuringSyncP99us"] / results["getIdleP99us"]
    for process in peers:
        stop(process)
finally:
    for process in started:
        stop(process)

print(json.dumps(results))
