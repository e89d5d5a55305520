"""What every experiment shares: the binaries, child processes stopped by their PID, the node's
JSON-RPC socket, progress lines, CSV files and plots. Standard library only; matplotlib is
installed on first use of a plot."""

import argparse
import ctypes
import csv
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "experiments", "results")
PLOTS = os.path.join(ROOT, "experiments", "plots")


def arguments(description, extra=None):
    """The flags every experiment takes: --quick, --bin, --out, --plots/--no-plots."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="a short run (under two minutes) with the same columns")
    parser.add_argument("--bin", help="where keychain-node and the rest are (default: build them, release)")
    parser.add_argument("--out", help="results folder (default experiments/results, or a temporary one with --quick)")
    parser.add_argument("--no-plots", action="store_true", help="write the CSV only")
    parser.add_argument("--work", help="where the nodes' data goes (default: a fresh folder under /tmp)")
    if extra:
        extra(parser)
    options = parser.parse_args()
    if options.bin is None:
        progress("building the release binaries (swift build -c release)")
        subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        options.bin = os.path.join(ROOT, ".build", "release")
    if options.out is None:
        options.out = RESULTS if not options.quick else os.path.join("/tmp", f"keychain-quick-{os.getpid()}")
    options.plots = PLOTS if options.out == RESULTS else options.out
    os.makedirs(options.out, exist_ok=True)
    os.makedirs(options.plots, exist_ok=True)
    if options.work is None:
        options.work = subprocess.run(["mktemp", "-d", "/tmp/keychain-experiment.XXXXXX"], capture_output=True, text=True,
                                      check=True).stdout.strip()
    os.makedirs(options.work, exist_ok=True)
    return options


STARTED = time.time()


def provenance():
    """The columns every result row carries: the commit measured (with "+changes" when the code
    that runs, the sources or the experiments, differs from it) and the machine."""
    if not hasattr(provenance, "cached"):
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "Sources", "Package.swift", "experiments/*.py"],
                               cwd=ROOT, capture_output=True, text=True).stdout.strip()
        model = "unknown CPU"
        try:
            model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
        except (OSError, StopIteration):
            pass
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
        provenance.cached = {"commit": (commit or "unknown") + ("+changes" if dirty else ""),
                             "machine": f"{os.cpu_count()} cores, {memory:.0f} GiB, {model}"}
    return dict(provenance.cached)


def progress(message):
    """One line a step, with the seconds since the experiment began."""
    print(f"[{time.time() - STARTED:7.1f} s] {message}", flush=True)


def write_csv(path, columns, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row[column] for column in columns] if isinstance(row, dict) else row)
    progress(f"wrote {os.path.relpath(path, ROOT) if path.startswith(ROOT) else path} ({len(rows)} rows)")


def pyplot():
    """matplotlib's pyplot, installed from PyPI (or Debian) if it is missing."""
    try:
        import matplotlib
    except ImportError:
        progress("installing matplotlib")
        attempts = [[sys.executable, "-m", "pip", "install", "--quiet", "matplotlib"],
                    [sys.executable, "-m", "pip", "install", "--quiet", "--break-system-packages", "matplotlib"],
                    ["sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-matplotlib"]]
        for command in attempts:
            if subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
                break
        import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({"figure.dpi": 110, "font.size": 9, "axes.grid": True, "grid.alpha": 0.3})
    return plt


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def poisson_interval(count, confidence=0.95):
    """The exact (Garwood) interval on the mean of a Poisson count: the rate of a process seen
    `count` times, such as blocks in a fixed window."""
    import math
    tail = (1 - confidence) / 2

    def at_most(k, mean):  # P(X <= k)
        if k < 0:
            return 0.0
        term = total = math.exp(-mean) if mean < 700 else 0.0
        if term == 0.0:  # a large mean: sum in logs
            logs = [-mean + i * math.log(mean) - math.lgamma(i + 1) for i in range(k + 1)]
            top = max(logs)
            return math.exp(top) * sum(math.exp(value - top) for value in logs)
        for i in range(1, k + 1):
            term *= mean / i
            total += term
        return total

    def solve(condition):  # the mean where `condition` turns from False to True, by bisection
        low, high = 0.0, count * 3 + 20.0
        for _ in range(200):
            middle = (low + high) / 2
            low, high = (low, middle) if condition(middle) else (middle, high)
        return (low + high) / 2
    lower = 0.0 if count == 0 else solve(lambda mean: at_most(count - 1, mean) <= 1 - tail)
    upper = solve(lambda mean: at_most(count, mean) <= tail)
    return lower, upper


def median_interval(values, confidence_z=1.96):
    """A distribution-free 95% interval on the median: the order statistics n/2 -/+ 1.96 sqrt(n)/2
    (the binomial's normal approximation), clamped to the sample."""
    ordered = sorted(values)
    if not ordered:
        return float("nan"), float("nan")
    half = confidence_z * len(ordered) ** 0.5 / 2
    low = max(0, int(len(ordered) / 2 - half))
    high = min(len(ordered) - 1, int(len(ordered) / 2 + half))
    return ordered[low], ordered[high]


def cpu_seconds(pids):
    """User and system CPU seconds the processes have spent so far (0 for one that is gone)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            pass
    return total


def load_file(folder, puts, name="keys.csv"):
    """The import both load experiments use: `puts` rows of a 13-byte key (load/00000000 on)
    and a 100-byte value, as CSV for `keychain-cli import`; returns its path."""
    path = os.path.join(folder, name)
    with open(path, "w") as handle:
        handle.write("key,value\n")
        for index in range(puts):
            handle.write(f"load/{index:08d},{'v' * 100}\n")
    return path


# MARK: - Processes

def die_with_parent():
    ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL


class Child:
    """A process this experiment started; stopped by its PID, never by name."""

    def __init__(self, name, command, log, namespace=None):
        self.name, self.command, self.log_path = name, command, log
        prefix = ["ip", "netns", "exec", namespace] if namespace else []
        self.log = open(log, "ab")
        # `ip netns exec` execs the command: the PID is the node's. The child dies with this
        # process (PR_SET_PDEATHSIG), so an experiment killed midway leaves nothing behind.
        self.process = subprocess.Popen(prefix + command, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
                                        preexec_fn=die_with_parent)

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        return self.process.poll() is None

    def kill9(self):
        if self.alive():
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self, seconds=15):
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(seconds)
            except subprocess.TimeoutExpired:
                self.kill9()
        self.log.close()


class Children:
    """Every child, stopped at exit whatever happens."""

    def __init__(self):
        self.all = []

    def start(self, *arguments, **keywords):
        child = Child(*arguments, **keywords)
        self.all.append(child)
        return child

    def stop_all(self):
        for child in reversed(self.all):
            try:
                child.stop()
            except Exception:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.stop_all()


def free_ports(count):
    """A base port with `count` free ports from it, below the kernel's ephemeral range (32768 and
    up): there, every outgoing connection on the machine takes a port at random, and one took a
    node's listening port between the probe and the node's start. And below 20000: the Swift
    tests' processes take theirs from 20000-31999 (`PortCursor`), and an experiment run by the
    tests beside them once took a tracker's port between its probe and its start."""
    generator = random.SystemRandom()
    for _ in range(500):
        base = generator.randrange(10_000, 20_000 - count)
        probes = []
        try:
            for port in range(base, base + count):
                probe = socket.socket()
                probes.append(probe)
                probe.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
    raise RuntimeError(f"no {count} free ports in a row in 10000-19999")


def wait_for(what, condition, seconds, interval=0.05):
    """Polls `condition` until it is true (returning its value) or `seconds` pass (raising)."""
    deadline = time.time() + seconds
    while True:
        try:
            value = condition()
            if value:
                return value
        except (OSError, KeyError, ValueError, RPCError):
            pass
        if time.time() > deadline:
            raise TimeoutError(f"{what}: not within {seconds} s")
        time.sleep(interval)


# MARK: - The client API

class RPCError(Exception):
    def __init__(self, error):
        super().__init__(error.get("message", str(error)))
        self.code = error.get("code")


def rpc(path, method, params=None, timeout=10):
    """One request on a fresh connection to the node's socket."""
    with socket.socket(socket.AF_UNIX) as connection:
        connection.settimeout(timeout)
        connection.connect(path)
        request = {"jsonrpc": "2.0", "id": 1, "method": method}
        if params is not None:
            request["params"] = params
        connection.sendall((json.dumps(request) + "\n").encode())
        buffer = b""
        while not buffer.endswith(b"\n"):
            chunk = connection.recv(1 << 20)
            if not chunk:
                raise OSError("connection closed")
            buffer += chunk
    reply = json.loads(buffer)
    if "error" in reply:
        raise RPCError(reply["error"])
    return reply["result"]


def history(path, key):
    """A key's versions on one node, or [] if it has none."""
    try:
        return rpc(path, "history", {"key": key})["versions"]
    except RPCError:
        return []


class Refused(Exception):
    """A put a node refused, with its reason."""


def signed_put(binaries, path, identity, key, value, version=None):
    """A put signed with the identity file `identity` (keychain-cli, which creates it if need be)
    through the node's socket at `path`, returned at once: its txid, or Refused with the node's
    reason."""
    arguments = ["put", key, value, "--wait", "0", "--json"] + (["--if-version", str(version)] if version is not None else [])
    environment = dict(os.environ, KEYCHAIN_SOCKET=path, KEYCHAIN_IDENTITY=identity)
    result = subprocess.run([os.path.join(binaries, "keychain-cli"), *arguments], env=environment, capture_output=True, text=True)
    answer = json.loads((result.stdout.strip().splitlines() or ["{}"])[-1])
    if result.returncode != 0 or "txid" not in answer:
        raise Refused(answer.get("error", {}).get("message") or result.stderr.strip() or "(no reason given)")
    return answer["txid"]


class TipWatcher(threading.Thread):
    """When each new tip reached one node (a `subscribe` with tips on its socket), and the
    highest height announced."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path, self.arrivals, self.heights, self.height = path, {}, {}, 0
        self.connection = socket.socket(socket.AF_UNIX)
        self.connection.connect(path)
        self.connection.sendall(b'{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"tips":true}}\n')
        self.start()

    def run(self):
        buffer = b""
        while True:
            try:
                chunk = self.connection.recv(1 << 16)
            except OSError:
                return
            if not chunk:
                return
            now = time.time()
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                message = json.loads(line)
                if message.get("method") == "tip":
                    self.arrivals.setdefault(message["params"]["hash"], now)
                    self.heights.setdefault(message["params"]["hash"], message["params"]["height"])
                    self.height = max(self.height, message["params"]["height"])

    def reached(self, block, height):
        """When `block` (at `height`) was in this node's chain: when it became the tip, or, for
        a block that arrived within a longer branch, when the first tip at its height or above
        did. None if neither was seen."""
        if block in self.arrivals:
            return self.arrivals[block]
        later = [moment for tip, moment in list(self.arrivals.items()) if self.heights.get(tip, -1) >= height]
        return min(later) if later else None


# MARK: - Networks of real processes

class Network:
    """A tracker and mining nodes on 127.0.0.1 (or in network namespaces), as keychain-devnet
    starts them, with the knobs an experiment turns: difficulty, hash rates, which node runs
    where."""

    def __init__(self, children, binaries, work, difficulty=16, hash_rates=(200_000,) * 3, base_port=None,
                 namespaces=None, addresses=None, tracker_namespace=None, tracker_address="127.0.0.1", log_level="info",
                 retarget=False, mining=True, node_arguments=None):
        self.children, self.binaries, self.work, self.mining = children, binaries, work, mining
        self.node_arguments = node_arguments or [[] for _ in hash_rates]
        os.makedirs(work, exist_ok=True)
        self.difficulty, self.hash_rates, self.log_level = difficulty, list(hash_rates), log_level
        self.base = base_port or free_ports(len(hash_rates) + 1)
        self.namespaces = namespaces or [None] * len(hash_rates)
        self.addresses = addresses or ["127.0.0.1"] * len(hash_rates)
        self.tracker_address = f"{tracker_address}:{self.base}"
        self.tracker = children.start("tracker", [os.path.join(binaries, "keychain-tracker"), "--listen",
                                                   f"{'0.0.0.0' if tracker_namespace else '127.0.0.1'}:{self.base}",
                                                   "--state-dir", f"{work}/tracker", "--difficulty", str(difficulty),
                                                   "--name", "experiment", "--log-level", "warning"]
                                                  # The experiments measure at a known difficulty unless asked.
                                                  + ([] if retarget else ["--fixed-difficulty"]),
                                      f"{work}/tracker.log", namespace=tracker_namespace)
        self.nodes = [None] * len(hash_rates)
        time.sleep(0.2)
        for index in range(len(hash_rates)):
            self.start(index)

    def socket(self, index):
        return f"{self.work}/node{index}/keychain.sock"

    def port(self, index):
        return self.base + 1 + index

    def start(self, index, extra=()):
        """Starts (or restarts) node `index` with its data dir as it is."""
        listen = f"{'0.0.0.0' if self.namespaces[index] else '127.0.0.1'}:{self.port(index)}"
        command = [os.path.join(self.binaries, "keychain-node"), "--data-dir", f"{self.work}/node{index}", "--listen", listen,
                   "--tracker", self.tracker_address, "--log-level", self.log_level]
        if self.mining:
            command += ["--mine", "--mining-threads", "1"]
        if self.mining and self.hash_rates[index]:
            command += ["--hash-rate-limit", str(self.hash_rates[index])]
        self.nodes[index] = self.children.start(f"node{index}", command + list(self.node_arguments[index]) + list(extra), f"{self.work}/node{index}.log",
                                                namespace=self.namespaces[index])
        return self.nodes[index]

    def wait_ready(self, indices=None, peers=1, seconds=90):
        for index in indices if indices is not None else range(len(self.nodes)):
            wait_for(f"node {index}", lambda: rpc(self.socket(index), "status")["peers"] >= peers, seconds)

    def status(self, index):
        return rpc(self.socket(index), "status")

    def converged(self, indices=None):
        """The common tip if the nodes agree, else None."""
        tips = {self.status(index)["tip"] for index in (indices if indices is not None else range(len(self.nodes)))}
        return tips.pop() if len(tips) == 1 else None
