#!/usr/bin/env python3
"""The key index benchmark's driver (keyindex-bench.sh runs it): one `--dev` node, real processes.

  memory   KEYS keys of 32 B rewritten ROUNDS times with 100 B values (one `keychain-cli import`
           a round, every put confirmed): the node's RSS, import rate and disk after each round.
  restart  SIGTERM, then kill -9: seconds from the new process's start to its socket serving at
           the same tip.
  reads    `get` p50/p99 on one connection (NodeLoad, 20,000 random keys) right after a restart
           and again once warm; `history` of a key with 1,000 versions.
  redis    with redis-server on PATH: its RSS per key for the last round's keys, same run.

Usage: keyindex_bench.py ROOT WORK KEYS ROUNDS [BINARIES]; BINARIES is a release directory to
measure instead of ROOT/.build/release (an older build, for a before-and-after). Prints one JSON
object. Every process it starts is stopped by its PID.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

root, work, keys, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
release = sys.argv[5] if len(sys.argv) > 5 else os.path.join(root, ".build/release")
sys.path.insert(0, os.path.join(root, "experiments"))
from lab import percentile, rpc, wait_for  # noqa: E402  (the experiments' shared helpers)

load = os.path.join(root, "Benchmarks/.build/release/NodeLoad")
data = f"{work}/node"
sock = f"{data}/keychain.sock"
started = []


def start_node():
    process = subprocess.Popen([os.path.join(release, "keychain-node"), "--dev", "--difficulty", "12", "--data-dir", data,
                                "--log-level", "warning"], stdout=open(f"{work}/node.log", "a"), stderr=subprocess.STDOUT)
    started.append(process)
    return process


def stop(process, how=signal.SIGTERM):
    if process.poll() is None:
        process.send_signal(how)
        try:
            process.wait(120)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def resident_mb(pid, field="VmRSS"):
    """Resident memory in MB: all of it (VmRSS), or the anonymous part alone (RssAnon), which
    leaves out file pages the kernel can take back (the database's mapped pages)."""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def disk_bytes(path):
    """Bytes the files take on disk (allocated blocks, as `du` counts: a freed record's hole
    takes none)."""
    total = 0
    for directory, _, files in os.walk(path):
        for name in files:
            if not name.endswith(".sock"):
                total += os.stat(os.path.join(directory, name)).st_blocks * 512
    return total


def generate(path, count, seed, key_prefix=None, value_bytes=100):
    with open(path, "w") as out:
        subprocess.run([sys.executable, os.path.join(root, "data/samples/generate.py"), "--count", str(count), "--key-bytes", "32",
                        "--value-bytes", str(value_bytes), "--seed", str(seed)], stdout=out, check=True)


def import_file(path):
    environment = dict(os.environ, KEYCHAIN_SOCKET=sock, KEYCHAIN_IDENTITY=f"{work}/id.key")
    subprocess.run([os.path.join(release, "keychain-cli"), "import", path, "--json"], env=environment,
                   capture_output=True, text=True, check=True)


def gets(count=20000):
    out = subprocess.run([load, "--socket", sock, "--connections", "1", "--requests", str(count), "--keys", str(keys)],
                         capture_output=True, text=True, check=True).stdout
    result = json.loads(out)
    return result["p50us"], result["p99us"]


def serving_after(process_start, tip):
    """Seconds from the process's start until its socket answers at `tip`."""
    wait_for("the restarted node", lambda: os.path.exists(sock) and rpc(sock, "status")["tip"] == tip, 600, 0.01)
    return time.time() - process_start


results = {"keys": keys, "rounds": rounds, "rounds_": []}
try:
    node = start_node()
    wait_for("the dev node", lambda: rpc(sock, "status"), 60)
    for round_number in range(rounds):
        csv = f"{work}/round{round_number}.csv"
        generate(csv, keys, seed=round_number + 1)
        begin = time.time()
        import_file(csv)
        wait_for("every put confirmed", lambda: rpc(sock, "status")["mempool"] == 0, 600, 0.1)
        elapsed = time.time() - begin
        os.unlink(csv)
        status = rpc(sock, "status")
        results["rounds_"].append({"puts": keys * (round_number + 1), "rssMB": round(resident_mb(node.pid), 1),
                                   "anonMB": round(resident_mb(node.pid, "RssAnon"), 1),
                                   "importPutsPerSecond": round(keys / elapsed), "diskBytes": disk_bytes(data),
                                   "height": status["height"]})
        print(json.dumps(results["rounds_"][-1]), file=sys.stderr, flush=True)
    puts = keys * rounds
    raw = puts * (32 + 100)
    results["diskPerPutBytes"] = disk_bytes(data) / puts
    results["diskVsRaw"] = disk_bytes(data) / raw

    # A key with 1,000 versions, then `history` of it.
    with open(f"{work}/history.csv", "w") as out:
        out.write("key,value\n")
        for version in range(1000):
            out.write(f"hist/one-key,version {version:04d}\n")
    import_file(f"{work}/history.csv")
    wait_for("the history's puts confirmed", lambda: rpc(sock, "status")["mempool"] == 0, 600, 0.1)
    versions = rpc(sock, "history", {"key": "hist/one-key"})
    results["historyVersions"] = len(versions["versions"]) if isinstance(versions, dict) else len(versions)
    out = subprocess.run([load, "--socket", sock, "--requests", "200", "--history", "hist/one-key"],
                         capture_output=True, text=True, check=True).stdout
    history = json.loads(out)
    results["history1000MedianMs"] = history["p50us"] / 1000
    results["history1000P99Ms"] = history["p99us"] / 1000
    results["getWarmP50us"], results["getWarmP99us"] = gets()

    # Restarts: a clean stop, then kill -9 (with the index's last writes possibly in flight).
    tip = rpc(sock, "status")["tip"]
    stop(node)
    begin = time.time()
    node = start_node()
    results["restartAfterSigtermSeconds"] = serving_after(begin, tip)
    results["rssAfterRestartMB"] = round(resident_mb(node.pid), 1)
    results["getColdP50us"], results["getColdP99us"] = gets()
    results["getWarmAgainP50us"], results["getWarmAgainP99us"] = gets()
    stop(node, signal.SIGKILL)
    begin = time.time()
    node = start_node()
    results["restartAfterKill9Seconds"] = serving_after(begin, tip)
    stop(node)

    # redis-server holding the last round's keys and values, for memory per key.
    if shutil.which("redis-server") and shutil.which("redis-cli"):
        redis = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", f"{work}/redis.sock", "--save", "",
                                  "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(redis)
        wait_for("redis", lambda: os.path.exists(f"{work}/redis.sock"), 30, 0.05)
        empty = resident_mb(redis.pid)
        generate(f"{work}/redis.csv", keys, seed=rounds)
        lines = open(f"{work}/redis.csv").read().splitlines()[1:]
        commands = "".join(f"SET {k} \"{v}\"\n" for k, v in (line.split(",", 1) for line in lines))
        subprocess.run(["redis-cli", "-s", f"{work}/redis.sock", "--pipe"], input=commands.encode(), capture_output=True, check=True)
        results["redisBytesPerKey"] = (resident_mb(redis.pid) - empty) * 1024 * 1024 / keys
        stop(redis)
finally:
    for process in started:
        stop(process)

first = results["rounds_"][0]
results["rssGrowthAfterFirstRoundMB"] = round(results["rounds_"][-1]["rssMB"] - first["rssMB"], 1)
results["anonGrowthAfterFirstRoundMB"] = round(results["rounds_"][-1]["anonMB"] - first["anonMB"], 1)
results["rounds"] = results.pop("rounds_")
print(json.dumps(results))
