#!/usr/bin/env python3
"""Broadcast cost and propagation delay against network size and fan-out, with and without 5%
message loss (the simulator, which runs the node's own peer protocol over virtual links of
50 ms +- 20 ms), for the node's relay (new tips as compact blocks; puts announced to outbound
peers and reconciled) beside the relay before it (headers, getdata, the whole block; puts
announced to every peer and re-offered every 5 s; `keychain-sim --relay headers`), and beside
push flooding, measured (every new tip and put sent whole to every peer but its source;
`--relay flood`), whose cost the formula puts at about n(d-1) messages per item for a mean
degree d, and about log_(d-1) n hops. Each
configuration runs with several seeds; a row records the stale rate (blocks off the final best
chain), the time until the last put reached the last node (the network settles for 10 s after
the puts stop), the seed, the commit and the machine. A second set runs 300 nodes with enough
puts that block bodies, not headers, are what blocks cost.

    python3 experiments/broadcast.py            # 10 to 1,000 nodes, fan-out 4, 8, 16, 3 seeds (about 25 min)
    python3 experiments/broadcast.py --quick    # 10 and 100 nodes, fan-out 4 and 8, one seed

Writes experiments/results/broadcast.csv and experiments/plots/broadcast.png."""

import json
import math
import os
import subprocess

import lab

COLUMNS = ["nodes", "fanout", "loss", "relay", "tx_rate", "seed", "mean_degree", "blocks", "puts", "puts_everywhere", "messages_per_block",
           "flooding_per_item", "block_ratio", "blocks_everywhere", "block_ratio_everywhere", "messages_per_put", "put_ratio",
           "bytes_per_block", "p50_ms", "p95_ms", "max_ms", "put_p50_ms", "put_p95_ms", "put_max_ms", "stale_rate", "hops_flooding", "events", "wall_seconds", "commit", "machine"]


def run(options, nodes, fanout, loss, relay, tx_rate, seed, duration):
    """One simulated run; its row."""
    command = [os.path.join(options.bin, "keychain-sim"), "--nodes", str(nodes), "--outbound", str(fanout),
               "--loss", str(loss), "--relay", relay, "--tx-rate", str(tx_rate), "--duration", str(duration), "--seed", str(seed),
               "--json", "--out", os.path.join(options.work, "blocks.csv")]
    report = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
    degree = report["degree"]
    blocks = max(report["blocks"], 1)
    return {
        "nodes": nodes, "fanout": fanout, "loss": loss, "relay": relay, "tx_rate": tx_rate, "seed": seed, "mean_degree": round(degree, 2),
        "blocks": report["blocks"], "puts": report["puts"], "puts_everywhere": report["putsEverywhere"],
        "messages_per_block": round(report["blockMessages"] / blocks, 1),
        "flooding_per_item": round(report["flooding"], 1),
        "block_ratio": round(report["blockMessages"] / blocks / max(report["flooding"], 1), 3),
        "blocks_everywhere": report["blocksEverywhere"],
        "block_ratio_everywhere": round(report["messagesForBlocksEverywhere"] / max(report["blocksEverywhere"], 1)
                                        / max(report["flooding"], 1), 3),
        "messages_per_put": round(report["putMessages"] / max(report["puts"], 1), 1),
        "put_ratio": round(report["putMessages"] / max(report["puts"], 1) / max(report["flooding"], 1), 3),
        "bytes_per_block": round(report["blockBytesPerBlock"]),
        "p50_ms": report["propagationP50ms"], "p95_ms": report["propagationP95ms"], "max_ms": report["propagationMaxMs"],
        "put_p50_ms": report["putPropagationP50ms"], "put_p95_ms": report["putPropagationP95ms"],
        # The last put's arrival at the last node, if every put reached every node.
        "put_max_ms": report["putPropagationMaxMs"] if report["putsEverywhere"] == report["puts"] else "",
        "stale_rate": round(1 - report["blocksOnBestChain"] / blocks, 3),
        "hops_flooding": round(math.log(nodes) / math.log(max(degree - 1, 1.01)), 2),
        "events": report["events"], "wall_seconds": round(report["wallSeconds"], 2), **lab.provenance(),
    }


def main():
    options = lab.arguments("Broadcast cost and propagation against network size and fan-out (simulator).")
    sizes = [10, 100] if options.quick else [10, 30, 100, 300, 1000]
    fanouts = [4, 8] if options.quick else [4, 8, 16]
    seeds = [1] if options.quick else [1, 2, 3]
    duration = 20 if options.quick else 60
    rows = []
    configurations = [(n, k, loss, relay, 2, duration) for loss in (0.0, 0.05) for relay in ("headers", "compact")
                      for k in fanouts for n in sizes if k < n]
    # The push-flooding baseline, measured: at fan-out 8, every size, with and without loss.
    configurations += [(n, 8, loss, "flood", 2, duration) for loss in (0.0, 0.05) for n in sizes if 8 < n]
    # Full blocks: puts enough that bodies, not headers and announcements, are a block's cost.
    nodes, rate, length = (100, 100, 10) if options.quick else (300, 200, 30)
    configurations += [(nodes, 8, 0.0, relay, rate, length) for relay in ("headers", "compact", "flood")]
    for nodes, fanout, loss, relay, tx_rate, length in configurations:
        for seed in seeds:
            row = run(options, nodes, fanout, loss, relay, tx_rate, seed, length)
            rows.append(row)
            lab.progress(f"n={nodes:>4} k={fanout:>2} loss={loss:.2f} {relay:>7} puts/s={tx_rate} seed {seed}: {row['messages_per_block']:>8} "
                         f"messages a block ({row['block_ratio']}x n(d-1)), {row['bytes_per_block']:,} bytes, {row['messages_per_put']} a put "
                         f"({row['put_ratio']}x), p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, stale {row['stale_rate']}, puts "
                         f"{row['puts_everywhere']}/{row['puts']} everywhere (last at {row['put_max_ms'] or '-'} ms)")
    lab.write_csv(os.path.join(options.out, "broadcast.csv"), COLUMNS, rows)
    if not options.no_plots:
        plot(rows, options.plots)


def aggregate(rows):
    """One row per configuration over its seeds: the median of every figure, and the range of a
    few as `<column>_min`/`<column>_max`. Rows read back from the CSV (strings) work too."""
    def number(value):
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    groups = {}
    for row in rows:
        row = dict(row, tx_rate=row.get("tx_rate") or 2)  # results from before the heavy runs have no rate
        key = tuple(str(row.get(column, "")) for column in ("nodes", "fanout", "loss", "relay", "tx_rate"))
        groups.setdefault(key, []).append(row)
    merged = []
    for members in groups.values():
        row = dict(members[0])
        row["seeds"] = len(members)
        for column in COLUMNS:
            if column in ("nodes", "fanout", "loss", "relay", "tx_rate", "seed", "commit", "machine"):
                continue
            values = sorted(value for value in (number(member.get(column)) for member in members) if value is not None)
            if len(values) < len(members):  # a missing figure in any seed (a put never everywhere)
                row[column] = ""
                continue
            middle = values[len(values) // 2]
            row[column] = int(middle) if middle == int(middle) and column not in ("block_ratio", "put_ratio", "stale_rate", "loss") else middle
            row[f"{column}_min"], row[f"{column}_max"] = values[0], values[-1]
        for column in ("nodes", "fanout", "tx_rate"):
            row[column] = int(float(row[column]))
        row["loss"] = float(row["loss"])
        merged.append(row)
    return merged


def plot(rows, folder):
    plt = lab.pyplot()
    figure, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    rows = [row for row in aggregate(rows) if row["tx_rate"] == 2]
    for fanout in sorted({row["fanout"] for row in rows}):
        for loss, relay, style in ((0.0, "compact", "-"), (0.05, "compact", "--"), (0.0, "headers", "-."), (0.0, "flood", ":")):
            series = sorted((row for row in rows if row["fanout"] == fanout and row["loss"] == loss and row["relay"] == relay),
                            key=lambda row: row["nodes"])
            if not series:
                continue
            label = f"k={fanout}" + (", 5% loss" if loss else "") + {"headers": ", headers relay", "flood": ", push flooding"}.get(relay, "")
            for axis, column in ((axes[0], "messages_per_block"), (axes[1], "p95_ms")):
                axis.errorbar([r["nodes"] for r in series], [r[column] for r in series],
                              yerr=[[r[column] - r.get(f"{column}_min", r[column]) for r in series],
                                    [r.get(f"{column}_max", r[column]) - r[column] for r in series]],
                              fmt=style, marker="o", ms=3, capsize=2, label=label)
        series = sorted((row for row in rows if row["fanout"] == fanout and row["loss"] == 0.0 and row["relay"] == "compact"),
                        key=lambda row: row["nodes"])
        axes[0].plot([r["nodes"] for r in series], [r["flooding_per_item"] for r in series], ":", color="grey")
    axes[0].set(xscale="log", yscale="log", xlabel="nodes n", ylabel="messages per block",
                title="Block messages (dotted: flooding n(d-1))")
    axes[1].set(xscale="log", xlabel="nodes n", ylabel="p95 propagation, ms (virtual)", title="Block propagation p95 (median, range of seeds)")
    axes[0].legend(fontsize=7)
    axes[1].legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(os.path.join(folder, "broadcast.png"))
    lab.progress(f"plotted {os.path.join(folder, 'broadcast.png')}")


if __name__ == "__main__":
    main()
