#!/usr/bin/env python3
"""The flood benchmark's driver (flood-bench.sh runs it): one node on 127.0.0.1 and four peers
that complete the handshake, then send legal but useless traffic at a stated rate, written
from docs/PROTOCOL.md §9 alone: `inv` of 1,000 unknown puts, `getdata` of 1,000 unknown
blocks and `getheaders` from genesis, by turns. A client on the node's socket measures each
`put` until it is accepted (the reply), one at a time, first with no flood, then during it,
in alternating rounds. Prints one JSON object. Every process it starts is stopped by its PID.

The flooders run in a child process of their own (this script with `--flood`): as threads of
the measuring process they held Python's interpreter lock while they built their messages, and
the client's timer, waiting to get it back after each reply, counted time that the node never
spent.
"""
import hashlib
import json
import os
import random
import socket
import struct
import subprocess
import sys
import threading
import time

root, work = sys.argv[1], sys.argv[2]
rate = float(sys.argv[3]) if len(sys.argv) > 3 else 25.0  # messages a second, each peer
FLOODERS = 4
ROUNDS, PUTS_PER_ROUND = 5, 400  # a p99 over 2,000 puts each way: the 20 slowest, not 6
sys.path.insert(0, os.path.join(root, "experiments"))
from lab import Children, free_ports, percentile, rpc, wait_for  # noqa: E402

release = os.environ.get("KEYCHAIN_BIN", os.path.join(root, ".build/release"))  # another build's binaries, for a check


def frame(magic, command, payload):
    """A frame (PROTOCOL.md §9.1): magic, command NUL-padded to 12, length, checksum, payload."""
    checksum = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    return magic + command.encode().ljust(12, b"\0") + struct.pack("<I", len(payload)) + checksum + payload


def items(kind, count):
    """`count` random inventory items of `kind` (1 transaction, 2 block), with their count."""
    return struct.pack("<H", count) + b"".join(bytes([kind]) + os.urandom(32) for _ in range(count))


class FloodingPeer(threading.Thread):
    """A peer that shakes hands, answers pings, and floods at `rate` messages a second."""

    def __init__(self, port, genesis, rate, stop):
        super().__init__(daemon=True)
        self.magic, self.genesis, self.rate, self.stop = genesis[:4], genesis, rate, stop
        self.connection = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sent = 0
        self.ready = threading.Event()
        self.closed = False

    def send(self, command, payload=b""):
        self.connection.sendall(frame(self.magic, command, payload))

    def read_forever(self):
        """Reads and drops what the node sends, answering pings, so it never stops reading us."""
        buffer = b""
        try:
            while not self.stop.is_set():
                chunk = self.connection.recv(1 << 20)
                if not chunk:
                    break
                buffer += chunk
                while len(buffer) >= 24:
                    length = struct.unpack("<I", buffer[16:20])[0]
                    if len(buffer) < 24 + length:
                        break
                    command, payload = buffer[4:16].rstrip(b"\0").decode(), buffer[24:24 + length]
                    buffer = buffer[24 + length:]
                    if command == "verack":
                        self.ready.set()
                    elif command == "ping":
                        self.send("pong", payload)
        except OSError:
            pass
        self.closed = True

    def run(self):
        version = struct.pack("<I", 1) + self.genesis + struct.pack("<I", 0) + struct.pack("<H", 0) \
            + struct.pack("<Q", random.getrandbits(64)) + struct.pack("<Q", int(time.time() * 1000))
        self.send("version", version)
        self.send("verack")
        threading.Thread(target=self.read_forever, daemon=True).start()
        self.ready.wait(10)
        locator = struct.pack("<H", 1) + self.genesis + bytes(32)
        messages = [("inv", lambda: items(1, 1_000)), ("getdata", lambda: items(2, 1_000)), ("getheaders", lambda: locator)]
        next_at = time.monotonic()
        try:
            while not self.stop.is_set():
                command, payload = messages[self.sent % 3]
                self.send(command, payload())
                self.sent += 1
                next_at += 1.0 / self.rate
                time.sleep(max(0.0, next_at - time.monotonic()))
        except OSError:
            self.closed = True


def put_latencies(path, count, tag):
    """Milliseconds from sending each `put` until its acceptance, one at a time, one connection."""
    latencies = []
    with socket.socket(socket.AF_UNIX) as connection:
        connection.settimeout(30)
        connection.connect(path)
        reader = connection.makefile("rb")
        for index in range(count):
            request = {"jsonrpc": "2.0", "id": index, "method": "put",
                       "params": {"key": f"flood/{tag}/{index}", "value": "x" * 100}}
            begin = time.perf_counter()
            connection.sendall((json.dumps(request) + "\n").encode())
            reply = json.loads(reader.readline())
            latencies.append((time.perf_counter() - begin) * 1000)
            if "error" in reply:
                raise RuntimeError(f"put refused: {reply['error']}")
    return latencies


def flood(port, genesis):
    """The child's part: four flooding peers until standard input closes; prints "ready" once
    they have all shaken hands, then the number of messages they sent."""
    stop = threading.Event()
    peers = [FloodingPeer(port, genesis, rate, stop) for _ in range(FLOODERS)]
    for peer in peers:
        peer.start()
    deadline = time.monotonic() + 10
    while not all(p.ready.is_set() for p in peers) and time.monotonic() < deadline:
        time.sleep(0.01)
    print("ready" if all(p.ready.is_set() for p in peers) else "handshakes timed out", flush=True)
    sys.stdin.read()
    stop.set()
    print(sum(p.sent for p in peers), flush=True)
    for peer in peers:
        peer.connection.close()


class FloodProcess:
    """The flooders' child process, stopped by its PID whatever happens."""

    def __init__(self, port, genesis):
        self.process = subprocess.Popen([sys.executable, os.path.abspath(__file__), root, work, str(rate), "--flood",
                                         str(port), genesis.hex()], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().strip()
        if line != "ready":
            self.stop()
            raise RuntimeError(f"the flooders did not start: {line or 'no output'}")

    def stop(self):
        """Closes the child's input (it stops flooding) and returns the messages it sent."""
        sent = 0
        try:
            self.process.stdin.close()
            answer = self.process.stdout.readline().strip()
            sent = int(answer) if answer.isdigit() else 0
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        return sent


def main():
    children = Children()
    try:
        tracker_port = free_ports(2)
        peer_port = tracker_port + 1
        children.start("tracker", [os.path.join(release, "keychain-tracker"), "--listen", f"127.0.0.1:{tracker_port}",
                                   "--state-dir", os.path.join(work, "tracker"), "--difficulty", "20", "--name", "floodbench"],
                       os.path.join(work, "tracker.log"))
        data = os.path.join(work, "node")
        socket_path = os.path.join(data, "keychain.sock")
        children.start("node", [os.path.join(release, "keychain-node"), "--data-dir", data, "--listen", f"127.0.0.1:{peer_port}",
                                "--tracker", f"127.0.0.1:{tracker_port}", "--no-mine", "--log-level", "warning"],
                       os.path.join(work, "node.log"))
        wait_for("the node's socket", lambda: os.path.exists(socket_path), 30)
        genesis = bytes.fromhex(rpc(socket_path, "status")["genesis"])
        put_latencies(socket_path, 50, "warm")
        idle, flooded, sent = [], [], 0
        for round_ in range(ROUNDS):
            idle += put_latencies(socket_path, PUTS_PER_ROUND, f"idle{round_}")
            flooders = FloodProcess(peer_port, genesis)
            try:
                time.sleep(1.0)  # the flood under way
                flooded += put_latencies(socket_path, PUTS_PER_ROUND, f"flood{round_}")
            finally:
                sent += flooders.stop()
            time.sleep(0.5)
        idle_p50, idle_p99 = percentile(idle, 0.5), percentile(idle, 0.99)
        flood_p50, flood_p99 = percentile(flooded, 0.5), percentile(flooded, 0.99)
        print(json.dumps({
            "floodRatePerPeer": rate, "floodingPeers": FLOODERS, "floodMessagesSent": sent,
            "putIdleP50Ms": round(idle_p50, 3), "putIdleP99Ms": round(idle_p99, 3),
            "putFloodP50Ms": round(flood_p50, 3), "putFloodP99Ms": round(flood_p99, 3),
            "putIdleP95Ms": round(percentile(idle, 0.95), 3), "putFloodP95Ms": round(percentile(flooded, 0.95), 3),
            "putIdleMaxMs": round(max(idle), 3), "putFloodMaxMs": round(max(flooded), 3),
            "p99Ratio": round(flood_p99 / idle_p99, 2),
        }))
    finally:
        children.stop_all()


if len(sys.argv) > 4 and sys.argv[4] == "--flood":
    flood(int(sys.argv[5]), bytes.fromhex(sys.argv[6]))
else:
    main()
