#!/usr/bin/env python3
"""Fault resistance on real processes: a tracker and 5 mining nodes, each a host of its own in a
network namespace (10.203.0.x on a bridge; root only), under a steady write load: a client per
node puts 4 fresh keys a second through it, moving to the next node while its own is down (a
client that fails over), and follows each put on the node that took it until that node reports
it confirmed (the acknowledgement). Faults, in turn: kill -9 one node and restart it; kill -9
two at once; kill -9 three of the five (a majority); partition the network 3/2 (two hosts moved
to a second bridge) while one identity writes the same keys on both sides, with and without
compare-and-set; stop the tracker for good; then start a fresh node that knows only one peer's
address. Afterwards every write, whatever became of it, is looked up on every node, and every
acknowledgement a reorganisation undid is given the depth it had.

    python3 experiments/faults.py            # 3 runs of about 5 minutes each
    python3 experiments/faults.py --quick    # one run, the faults compressed into about 100 s

Writes, each row marked with its run: experiments/results/faults-timeline.csv (keys per node
over time), faults.csv (one row per fault), faults-writes.csv (one row per write),
faults-conflicts.csv (the same-key writes), faults-gaps.csv (the time between
acknowledgements), faults-summary.csv (a row a run); and experiments/plots/faults.png (the first
run's timeline, every run's gaps)."""

import calendar
import os
import re
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
    """A client of one node: puts a fresh key at a steady rate through its node, or through the
    next one that answers while its own is down, and follows each put on the node that took it
    until that node reports it confirmed (the acknowledgement)."""

    def __init__(self, network, index, rate, began):
        super().__init__(daemon=True)
        self.network, self.index, self.interval, self.began = network, index, 1 / rate, began
        self.writes = []  # every write: a dict, see `put`
        self.running = True
        self.start()

    def run(self):
        sequence = 0
        next_put = time.time()
        while self.running:
            if time.time() >= next_put:
                self.put(f"fault/n{self.index}/{sequence:06d}")
                sequence += 1
                next_put += self.interval
            self.follow()
            time.sleep(max(0.0, min(next_put - time.time(), 0.05)))

    def put(self, key):
        write = {"writer": self.index, "key": key, "node": "", "txid": "", "submitted_s": round(time.time() - self.began, 2),
                 "outcome": "unreachable", "reason": "", "ack_s": "", "ack_height": "", "ack_block": ""}
        self.writes.append(write)
        for node in [(self.index + step) % NODES for step in range(NODES)]:
            try:
                write["txid"] = lab.rpc(self.network.socket(node), "put", {"key": key, "value": f"written through node {node}"},
                                        timeout=2)["txid"]
                write["node"], write["outcome"] = node, "pending"
                return
            except lab.RPCError as error:
                write["node"], write["outcome"], write["reason"] = node, "refused", str(error)
                return
            except OSError:
                continue  # the node is down: the next one

    def follow(self):
        for write in [write for write in self.writes if write["outcome"] == "pending"][:50]:
            try:
                status = lab.rpc(self.network.socket(write["node"]), "tx", {"txid": write["txid"]}, timeout=2)
            except OSError:
                continue  # its node is down; followed again once it is back
            except lab.RPCError:
                # Unknown to the node that took it: lost with the process before it was relayed
                # or mined (the end's lookups say whether it was after all). Never acknowledged.
                write["outcome"] = "lost"
                continue
            if status["status"] == "confirmed":
                write.update(outcome="acknowledged", ack_s=round(time.time() - self.began, 2), ack_height=status["height"],
                             ack_block=status["block"])
            elif status["status"] in ("rejected", "evicted"):
                write.update(outcome=status["status"], reason=status.get("reason", ""))


class Sides(threading.Thread):
    """The same keys written by one identity on both sides of a partition: `conflict/cas/i` with
    compare-and-set (both expect version 1) and `conflict/plain/i` without. Each side's client
    follows its puts on its own node until the partition heals: whether they were confirmed
    there, and the deepest they got."""

    def __init__(self, options, network, identity, sides, keys):
        super().__init__(daemon=True)
        self.options, self.network, self.identity, self.sides, self.keys = options, network, identity, sides, keys
        self.writes, self.running = [], True

    def write_both(self):
        for side, node in self.sides.items():
            for index in range(self.keys):
                for kind, version in (("cas", 1), ("plain", None)):
                    key = f"conflict/{kind}/{index}"
                    write = {"key": key, "kind": kind, "side": side, "node": node, "txid": "", "taken": 1, "refusal": "",
                             "confirmed_on_side": 0, "max_depth_on_side": 0}
                    try:
                        write["txid"] = lab.signed_put(self.options.bin, self.network.socket(node), self.identity, key, f"side {side}", version)
                    except lab.Refused as refusal:
                        write.update(taken=0, refusal=str(refusal))
                    self.writes.append(write)
        self.start()

    def run(self):
        while self.running:
            for write in self.writes:
                if not write["txid"]:
                    continue
                try:
                    status = lab.rpc(self.network.socket(write["node"]), "tx", {"txid": write["txid"]}, timeout=2)
                except (OSError, lab.RPCError):
                    continue
                if status["status"] == "confirmed":
                    write["confirmed_on_side"] = 1
                    write["max_depth_on_side"] = max(write["max_depth_on_side"], status["depth"])
            time.sleep(0.5)


def reorganisations(path, node):
    """Every reorganisation a node's log records: when, the node, the old tip's height and how
    many blocks were undone."""
    found = []
    for line in open(path, errors="replace"):
        match = re.search(r"connected=(\d+) disconnected=(\d+) hash=\w+ height=(\d+)", line)
        if not match or "new tip" not in line or int(match.group(2)) == 0:
            continue
        connected, disconnected, height = (int(group) for group in match.groups())
        stamp = calendar.timegm(time.strptime(line[:19], "%Y-%m-%dT%H:%M:%S"))
        found.append({"at": stamp, "node": node, "old_tip": height - connected + disconnected, "undone": disconnected})
    return found


def gaps_between(moments, windows, start, end):
    """The intervals between consecutive moments in [start, end], each marked with whether it
    overlaps a fault window."""
    inside = sorted(moment for moment in moments if start <= moment <= end)
    return [{"start_s": round(earlier, 2), "gap_s": round(later - earlier, 3),
             "during_fault": int(any(earlier < window_end and later > window_start for window_start, window_end in windows))}
            for earlier, later in zip(inside, inside[1:])]


def one_run(options, run, work):
    """One run of every fault on a fresh network in `work`; the rows of each CSV, marked with
    the run."""
    scale = 0.3 if options.quick else 1.0

    def at(seconds):
        return seconds * scale
    timeline, faults = [], []
    namespaces = Lab(NODES + 2)  # the nodes, the tracker, the newcomer
    newcomer = NODES
    try:
        with lab.Children() as children:
            network = lab.Network(children, options.bin, work, difficulty=17, hash_rates=[25_000] * NODES,
                                  base_port=7_800, namespaces=namespaces.hosts[:NODES],
                                  tracker_namespace=namespaces.hosts[NODES], tracker_address=namespaces.address(NODES))
            network.wait_ready(peers=2, seconds=120)
            lab.progress(f"{NODES} nodes in their namespaces, connected")
            began = time.time()
            writers = [Writer(network, index, 4, began) for index in range(NODES)]
            stop_sampling = threading.Event()
            heights = {}  # node -> its latest height, for the minority's depth at the heal

            def sample():
                while not stop_sampling.is_set():
                    now = time.time() - began
                    for index in range(NODES + 1):
                        if index == newcomer and not os.path.exists(f"{work}/node{newcomer}/keychain.sock"):
                            continue
                        try:
                            status = lab.rpc(f"{work}/node{index}/keychain.sock", "status")
                            heights[index] = status["height"]
                            timeline.append({"t_s": round(now, 2), "node": index, "height": status["height"],
                                             "tip": status["tip"][:16], "keys": status["keys"], "peers": status["peers"]})
                        except (OSError, lab.RPCError):
                            timeline.append({"t_s": round(now, 2), "node": index, "height": "", "tip": "", "keys": "", "peers": ""})
                    time.sleep(0.5)
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()

            def wait_until(seconds):
                time.sleep(max(0.0, began + seconds - time.time()))

            def converge(what, indices, started, seconds=180):
                def agreed():
                    statuses = [lab.rpc(f"{work}/node{index}/keychain.sock", "status") for index in indices]
                    return len({status["tip"] for status in statuses}) == 1
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
            crash([2, 3], 70, 85, "nodes 2 and 3")
            crash([1, 2, 3], 105, 125, "nodes 1, 2 and 3 (a majority)")

            # The same keys on both sides of a partition, written by one identity: version 0
            # everywhere first.
            identity = os.path.join(work, "conflict.key")
            keys = 3 if options.quick else 5
            for index in range(keys):
                for kind in ("cas", "plain"):
                    lab.signed_put(options.bin, network.socket(0), identity, f"conflict/{kind}/{index}", "before the partition", 0)
            lab.wait_for("the conflict keys' version 0 everywhere", lambda: all(
                len(lab.history(network.socket(node), f"conflict/{kind}/{index}")) == 1
                for node in range(NODES) for index in range(keys) for kind in ("cas", "plain")), 120, 0.2)
            wait_until(at(145))
            lab.progress("partition {0, 1, 2} / {3, 4}")
            namespaces.move([3, 4], "br1")
            faults.append({"fault": "partition 3/2", "start_s": round(time.time() - began, 1)})
            time.sleep(2)
            sides = Sides(options, network, identity, {"majority": 0, "minority": 3}, keys)
            sides.write_both()
            wait_until(at(185))
            minority_height = max(heights.get(3, 0), heights.get(4, 0))
            namespaces.move([3, 4], "br0")
            healed = time.time()
            faults[-1]["end_s"] = round(healed - began, 1)
            faults[-1]["converge_s"] = converge("one chain after the partition", range(NODES), healed)
            sides.running = False
            sides.join()
            lab.progress(f"healed, one chain after {faults[-1]['converge_s']} s")

            wait_until(at(205))
            lab.progress("tracker stopped")
            network.tracker.stop()
            faults.append({"fault": "tracker stopped", "start_s": round(time.time() - began, 1)})
            wait_until(at(225))
            faults[-1]["end_s"] = round(time.time() - began, 1)
            faults[-1]["converge_s"] = converge("one chain without the tracker", range(NODES), time.time())

            # A fresh node that knows one peer's address: genesis, headers, blocks and other
            # peers all come from the network.
            lab.progress("a fresh node, given one peer's address")
            command = [os.path.join(options.bin, "keychain-node"), "--data-dir", f"{work}/node{newcomer}", "--listen",
                       f"0.0.0.0:{network.port(newcomer)}", "--peer", f"{namespaces.address(0)}:{network.port(0)}", "--log-level", "info"]
            joined = time.time()
            children.start(f"node{newcomer}", command, f"{work}/node{newcomer}.log", namespace=namespaces.hosts[NODES + 1])
            faults.append({"fault": "fresh node from one peer, no tracker", "start_s": round(joined - began, 1)})
            faults[-1]["converge_s"] = converge("the fresh node on the common tip", list(range(NODES)) + [newcomer], joined)
            faults[-1]["end_s"] = round(time.time() - began, 1)
            newcomer_peers = lab.rpc(f"{work}/node{newcomer}/keychain.sock", "status")["peers"]
            lab.progress(f"the fresh node is on the common tip after {faults[-1]['converge_s']} s, with {newcomer_peers} peers")
            wait_until(at(250))

            for writer in writers:
                writer.running = False
            for writer in writers:
                writer.join()
            # Writes still pending are followed to the end: mined or not, they are not yet
            # acknowledged and do not count.
            settle = time.time()
            while any(write["outcome"] == "pending" for writer in writers for write in writer.writes) and time.time() - settle < at(60):
                for writer in writers:
                    writer.follow()
                time.sleep(0.2)
            final = converge("one chain at the end", list(range(NODES)) + [newcomer], time.time())
            stop_sampling.set()
            sampler.join()
            everyone = [f"{work}/node{index}/keychain.sock" for index in range(NODES + 1)]

            # Every write, whatever became of it, looked up on every node.
            writes = [write for writer in writers for write in writer.writes]
            for write in writes:
                holders = 0
                for path in everyone:
                    versions = lab.history(path, write["key"])
                    if versions and write["txid"] and versions[0]["txid"] == write["txid"]:
                        holders += 1
                        write["final_block"] = versions[0]["block"]
                        write["final_height"] = versions[0]["height"]
                write["found_on_nodes"] = holders
                write["remined"] = int(write["outcome"] == "acknowledged" and holders > 0 and write.get("final_block") != write["ack_block"])
            # An acknowledgement a reorganisation undid: the reorganisation on the node that
            # acknowledged it that first dropped its block, and the depth the block had then.
            reorgs = [event for index in range(NODES) for event in reorganisations(f"{work}/node{index}.log", index)]
            for write in writes:
                write["undone_depth"] = ""
                if not write["remined"]:
                    continue
                acknowledged_at = began + write["ack_s"]
                for event in sorted(reorgs, key=lambda event: event["at"]):
                    if (event["node"] == write["node"] and event["at"] >= int(acknowledged_at) - 1
                            and event["old_tip"] - event["undone"] < write["ack_height"] <= event["old_tip"]):
                        write["undone_depth"] = event["old_tip"] - write["ack_height"] + 1
                        break
            # The same-key writes: what each side saw confirmed, and what is left.
            conflicts = []
            for write in sides.writes:
                status = {}
                if write["txid"]:
                    try:  # asked of the side's own node: it is the one that saw the put evicted
                        status = lab.rpc(network.socket(write["node"]), "tx", {"txid": write["txid"]})
                    except lab.RPCError as error:
                        status = {"status": "unknown", "reason": str(error)}
                histories = [lab.history(path, write["key"]) for path in everyone]
                positions = [next((version["version"] for version in versions if version["txid"] == write["txid"]), "") for versions in histories]
                conflicts.append(dict(write, final_status=status.get("status", ""), final_reason=status.get("reason", ""),
                                      final_version=positions[0], same_on_every_node=int(len({str(p) for p in positions}) == 1),
                                      history_on_node0=" | ".join(version["value"] for version in histories[0])))
            # The time between acknowledgements, all clients together and each alone. A block
            # acknowledges many puts at once: a gap runs from one block's first acknowledgement
            # to the next block's.
            windows = [(began + fault["start_s"], began + fault["end_s"]) for fault in faults]
            acknowledged = [write for write in writes if write["outcome"] == "acknowledged"]
            span = (began + 5, began + max(float(write["ack_s"]) for write in acknowledged))

            def first_per_block(chosen):
                first = {}
                for write in chosen:
                    first[write["ack_block"]] = min(first.get(write["ack_block"], float("inf")), began + write["ack_s"])
                return list(first.values())
            gaps = [dict(gap, scope="all") for gap in gaps_between(first_per_block(acknowledged), windows, *span)]
            for index in range(NODES):
                gaps += [dict(gap, scope=f"client {index}") for gap in
                         gaps_between(first_per_block([w for w in acknowledged if w["writer"] == index]), windows, *span)]
            for gap in gaps:
                gap["start_s"] = round(gap["start_s"] - began, 2)

            def spread(values):
                ordered = sorted(values)
                return (round(lab.percentile(ordered, 0.5), 2), round(lab.percentile(ordered, 0.95), 2), round(max(ordered), 2)) if ordered else ("", "", "")
            quiet = spread([gap["gap_s"] for gap in gaps if gap["scope"] == "all" and not gap["during_fault"]])
            faulty = spread([gap["gap_s"] for gap in gaps if gap["scope"] == "all" and gap["during_fault"]])
            clients_quiet = spread([gap["gap_s"] for gap in gaps if gap["scope"] != "all" and not gap["during_fault"]])
            clients_faulty = spread([gap["gap_s"] for gap in gaps if gap["scope"] != "all" and gap["during_fault"]])
            keys_on_nodes = {lab.rpc(path, "status")["keys"] for path in everyone}
            present = sum(1 for write in writes if write["found_on_nodes"])
            undone = [write["undone_depth"] for write in writes if write["undone_depth"] != ""]
            losing = [write for write in conflicts if write["confirmed_on_side"] and write["final_status"] != "confirmed"]
            partition_fault = next(fault for fault in faults if fault["fault"] == "partition 3/2")
            counts = {outcome: sum(write["outcome"] == outcome for write in writes)
                      for outcome in ("acknowledged", "pending", "lost", "refused", "evicted", "rejected", "unreachable")}
            summary = {
                "writes": len(writes), "taken": len(writes) - counts["unreachable"] - counts["refused"],
                "taken_through_another_node": sum(1 for write in writes if write["node"] != "" and write["node"] != write["writer"]),
                "acknowledged_confirmed": counts["acknowledged"],
                "found_on_every_node": sum(1 for write in acknowledged if write["found_on_nodes"] == NODES + 1),
                "remined_in_another_block": sum(write["remined"] for write in writes),
                "undone_depth_max": max(undone) if undone else 0, "undone_depth_median": sorted(undone)[len(undone) // 2] if undone else 0,
                "lost_before_acknowledgement": counts["lost"], "lost_but_found": sum(1 for w in writes if w["outcome"] == "lost" and w["found_on_nodes"]),
                "never_confirmed": counts["pending"], "pending_but_found": sum(1 for w in writes if w["outcome"] == "pending" and w["found_on_nodes"]),
                "refused": counts["refused"], "unreachable": counts["unreachable"],
                "refused_or_unreachable_found": sum(1 for w in writes if w["outcome"] in ("refused", "unreachable") and w["found_on_nodes"]),
                "keys_on_every_node": "/".join(str(count) for count in sorted(keys_on_nodes)),
                "keys_explained": present + 2 * keys,
                "conflict_writes": len(sides.writes), "conflict_confirmed_then_lost": len(losing),
                "conflict_lost_depth_max": max((write["max_depth_on_side"] for write in losing), default=0),
                "conflict_cas_versions_ok": int(all(write["final_version"] in (1, "") for write in conflicts if write["kind"] == "cas")
                                                and sum(write["final_version"] == 1 for write in conflicts if write["kind"] == "cas") == keys),
                "conflict_same_everywhere": int(all(write["same_on_every_node"] for write in conflicts)),
                "minority_height_at_heal": minority_height,
                "gap_p50_s": quiet[0], "gap_p95_s": quiet[1], "gap_max_s": quiet[2],
                "gap_fault_p50_s": faulty[0], "gap_fault_p95_s": faulty[1], "gap_fault_max_s": faulty[2],
                "client_gap_p50_s": clients_quiet[0], "client_gap_p95_s": clients_quiet[1], "client_gap_max_s": clients_quiet[2],
                "client_gap_fault_p95_s": clients_faulty[1], "client_gap_fault_max_s": clients_faulty[2],
                "newcomer_peers": newcomer_peers, "final_converge_s": final,
                "partition_start_s": partition_fault["start_s"], "partition_end_s": partition_fault["end_s"], **lab.provenance(),
            }
            lab.progress(f"acknowledged {counts['acknowledged']}, found on every node {summary['found_on_every_node']}, re-mined "
                         f"{summary['remined_in_another_block']} (undone at depth up to {summary['undone_depth_max']}), lost before "
                         f"acknowledgement {counts['lost']}, refused or unreachable {counts['refused'] + counts['unreachable']} "
                         f"(found {summary['refused_or_unreachable_found']}); conflicting writes confirmed then lost {len(losing)} "
                         f"(as deep as {summary['conflict_lost_depth_max']}); keys {summary['keys_on_every_node']} against "
                         f"{summary['keys_explained']} explained")
    finally:
        namespaces.close()
    for rows in (timeline, faults, writes, conflicts, gaps, [summary]):
        for row in rows:
            row["run"] = run
    return timeline, faults, writes, conflicts, gaps, summary


def main():
    options = lab.arguments("Fault resistance on real processes in network namespaces.")
    if os.geteuid() != 0:
        raise SystemExit("faults.py needs root: it creates network namespaces (ip netns) for the hosts")
    runs = 1 if options.quick else 3
    results = [one_run(options, run, os.path.join(options.work, f"run{run}")) for run in range(1, runs + 1)]
    timeline, faults, writes, conflicts, gaps = ([row for result in results for row in result[part]] for part in range(5))
    summaries = [result[5] for result in results]
    lab.write_csv(os.path.join(options.out, "faults-timeline.csv"), ["run", "t_s", "node", "height", "tip", "keys", "peers"], timeline)
    lab.write_csv(os.path.join(options.out, "faults.csv"), ["run", "fault", "start_s", "end_s", "converge_s"], faults)
    lab.write_csv(os.path.join(options.out, "faults-writes.csv"),
                  ["run", "writer", "key", "node", "txid", "submitted_s", "outcome", "reason", "ack_s", "ack_height", "found_on_nodes", "remined",
                   "undone_depth"], writes)
    lab.write_csv(os.path.join(options.out, "faults-conflicts.csv"),
                  ["run", "key", "kind", "side", "node", "taken", "refusal", "confirmed_on_side", "max_depth_on_side", "final_status",
                   "final_reason", "final_version", "same_on_every_node", "history_on_node0"], conflicts)
    lab.write_csv(os.path.join(options.out, "faults-gaps.csv"), ["run", "scope", "start_s", "gap_s", "during_fault"], gaps)
    lab.write_csv(os.path.join(options.out, "faults-summary.csv"), ["run"] + [key for key in summaries[0] if key != "run"], summaries)
    if not options.no_plots:
        plot([row for row in timeline if row["run"] == 1], [row for row in faults if row["run"] == 1], gaps, options.plots)


def plot(timeline, faults, gaps, folder):
    plt = lab.pyplot()
    figure, (axis, spread) = plt.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [2.2, 1]})
    for index in sorted({row["node"] for row in timeline}):
        points = [(row["t_s"], row["keys"]) for row in timeline if row["node"] == index and row["keys"] != ""]
        # Widest first: where nodes agree their curves coincide, and each stays visible
        # around the ones drawn over it.
        axis.plot([p[0] for p in points], [p[1] for p in points], "-", drawstyle="steps-post", lw=4.2 - 0.7 * index, alpha=0.85,
                  label=f"node {index}" + (" (fresh)" if index == NODES else ""))
    for fault in faults:
        axis.axvspan(fault["start_s"], fault["end_s"], alpha=0.15, color="red")
        axis.text(fault["start_s"], axis.get_ylim()[1] * 0.97, fault["fault"], fontsize=6, va="top", rotation=90)
    axis.set(xlabel="seconds", ylabel="keys on the node (a key a write)", title="Keys on every node (each write is a new key); faults shaded")
    axis.legend(fontsize=7)
    for during, label, colour in ((0, "no fault", "tab:blue"), (1, "overlapping a fault", "tab:red")):
        values = sorted(gap["gap_s"] for gap in gaps if gap["scope"] == "all" and gap["during_fault"] == during)
        if values:
            spread.plot(values, [(rank + 1) / len(values) for rank in range(len(values))], drawstyle="steps-post", color=colour,
                        label=f"{label} ({len(values)})")
    spread.set(xlabel="seconds between acknowledgements (all clients)", ylabel="fraction of gaps", xscale="log",
               title="Time between acknowledged writes")
    spread.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(os.path.join(folder, "faults.png"))
    lab.progress(f"plotted {os.path.join(folder, 'faults.png')}")


if __name__ == "__main__":
    main()
