#!/usr/bin/env python3
"""Broadcast cost and propagation delay against network size and fan-out, with and without 5%
message loss (the simulator, which runs the node's own peer protocol over virtual links of
50 ms +- 20 ms), for the node's relay (new tips as compact blocks; puts announced to outbound
peers and reconciled) beside the relay before it (headers, getdata, the whole block; puts
announced to every peer and re-offered every 5 s; `keychain-sim --relay headers`). Compared with flooding:
about n(d-1) messages per item for a mean degree d, and about log_(d-1) n hops.

    python3 experiments/broadcast.py            # 10 to 1,000 nodes, fan-out 4, 8, 16 (a few minutes)
    python3 experiments/broadcast.py --quick    # 10 and 100 nodes, fan-out 4 and 8

Writes experiments/results/broadcast.csv and experiments/plots/broadcast-*.png."""

import json
import math
import os
import subprocess

import lab

COLUMNS = ["nodes", "fanout", "loss", "relay", "mean_degree", "blocks", "puts", "puts_everywhere", "messages_per_block",
           "flooding_per_item", "block_ratio", "blocks_everywhere", "block_ratio_everywhere", "messages_per_put", "put_ratio",
           "bytes_per_block", "p50_ms", "p95_ms", "max_ms", "put_p50_ms", "put_p95_ms", "hops_flooding", "events", "wall_seconds"]


def main():
    options = lab.arguments("Broadcast cost and propagation against network size and fan-out (simulator).")
    sizes = [10, 100] if options.quick else [10, 30, 100, 300, 1000]
    fanouts = [4, 8] if options.quick else [4, 8, 16]
    duration = 20 if options.quick else 60
    rows = []
    for loss, relay, fanout, nodes in ((l, r, k, n) for l in (0.0, 0.05) for r in ("headers", "compact")
                                       for k in fanouts for n in sizes):
        if fanout >= nodes:
            continue
        command = [os.path.join(options.bin, "keychain-sim"), "--nodes", str(nodes), "--outbound", str(fanout),
                   "--loss", str(loss), "--relay", relay, "--tx-rate", "2", "--duration", str(duration), "--seed", "1",
                   "--json", "--out", os.path.join(options.work, "blocks.csv")]
        report = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
        degree = report["degree"]
        blocks = max(report["blocks"], 1)
        row = {
            "nodes": nodes, "fanout": fanout, "loss": loss, "relay": relay, "mean_degree": round(degree, 2), "blocks": report["blocks"],
            "puts": report["puts"], "puts_everywhere": report["putsEverywhere"],
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
            "hops_flooding": round(math.log(nodes) / math.log(max(degree - 1, 1.01)), 2),
            "events": report["events"], "wall_seconds": round(report["wallSeconds"], 2),
        }
        rows.append(row)
        lab.progress(f"n={nodes:>4} k={fanout:>2} loss={loss:.2f} {relay:>7}: {row['messages_per_block']:>8} messages a block "
                     f"({row['block_ratio']}x n(d-1)), {row['messages_per_put']} a put ({row['put_ratio']}x), p50 {row['p50_ms']} ms, "
                     f"p95 {row['p95_ms']} ms, max {row['max_ms']} ms")
    lab.write_csv(os.path.join(options.out, "broadcast.csv"), COLUMNS, rows)
    if not options.no_plots:
        plot(rows, options.plots)


def plot(rows, folder):
    plt = lab.pyplot()
    figure, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    for fanout in sorted({row["fanout"] for row in rows}):
        for loss, relay, style in ((0.0, "compact", "-"), (0.05, "compact", "--"), (0.0, "headers", "-.")):
            series = [row for row in rows if row["fanout"] == fanout and row["loss"] == loss and row["relay"] == relay]
            if not series:
                continue
            label = f"k={fanout}" + (", 5% loss" if loss else "") + (", headers relay" if relay == "headers" else "")
            axes[0].plot([r["nodes"] for r in series], [r["messages_per_block"] for r in series], style, marker="o", label=label)
            axes[1].plot([r["nodes"] for r in series], [r["p95_ms"] for r in series], style, marker="o", label=label)
        series = [row for row in rows if row["fanout"] == fanout and row["loss"] == 0.0 and row["relay"] == "compact"]
        axes[0].plot([r["nodes"] for r in series], [r["flooding_per_item"] for r in series], ":", color="grey")
    axes[0].set(xscale="log", yscale="log", xlabel="nodes n", ylabel="messages per block",
                title="Block messages (dotted: flooding n(d-1))")
    axes[1].set(xscale="log", xlabel="nodes n", ylabel="p95 propagation, ms (virtual)", title="Block propagation p95")
    axes[0].legend(fontsize=7)
    axes[1].legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(os.path.join(folder, "broadcast.png"))
    lab.progress(f"plotted {os.path.join(folder, 'broadcast.png')}")


if __name__ == "__main__":
    main()
