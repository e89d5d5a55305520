#!/usr/bin/env python3
"""A 51% attack, first with real processes, then its success rate in the simulator.

Real processes: a tracker, 3 honest mining nodes and an attacker node whose hash-rate cap gives
it 70% of the network's hash power. The key's owner (the attacker) writes version 0 where
everyone sees it; then the attacker cuts itself off, writes a different version 1 on its
private fork, and writes the "paid" version 1 on the honest nodes. Once the honest version 1
is 3 blocks deep and the private fork is two blocks longer, the attacker reconnects: the honest
nodes reorganise, the key's history changes and the honest version 1 is evicted. (One block's
lead is not enough: the honest nodes found two blocks in the second the attacker took to
restart and hand its fork over, and kept their chain; the simulator's releases show the same.)

Simulator: the attack's success rate over many seeded runs against the attacker's share q
(0.1-0.7) and the depth z (0-10), next to Nakamoto's formula (see attack_sim.py).

    python3 experiments/attack.py            # the real attack, then 7 shares x 400 seeds (about 10 min)
    python3 experiments/attack.py --quick    # the real attack at a lower difficulty, then q = 0.3 x 300 seeds

Writes experiments/results/attack-real.csv, attack-sim.csv, attack-release.csv and
experiments/plots/attack-*.png."""

import json
import math
import os
import re
import subprocess
import time

import attack_sim
import lab

DEPTH = 2  # the honest version waits for this many blocks after its own


def cli(binaries, socket_path, identity, *arguments):
    environment = dict(os.environ, KEYCHAIN_SOCKET=socket_path, KEYCHAIN_IDENTITY=identity)
    result = subprocess.run([os.path.join(binaries, "keychain-cli"), *arguments, "--json"], env=environment,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"keychain-cli {' '.join(arguments)}: {result.stderr.strip()}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def real_attack(options):
    """The attack on real processes; returns the CSV rows and a summary."""
    difficulty = 16 if options.quick else 18
    honest_rate, attacker_rate = (20_000, 140_000) if options.quick else (60_000, 420_000)
    work, key = options.work, "ledger/balance"
    identity = os.path.join(work, "owner.key")
    rows = []
    with lab.Children() as children:
        network = lab.Network(children, options.bin, work, difficulty=difficulty,
                              hash_rates=[honest_rate] * 3 + [attacker_rate])
        honest = [0, 1, 2]
        network.wait_ready(peers=3)
        lab.progress(f"4 nodes up (difficulty {difficulty}; honest 3 x {honest_rate:,} H/s, attacker {attacker_rate:,} H/s: "
                     f"q = {attacker_rate / (attacker_rate + 3 * honest_rate):.2f})")
        first = cli(options.bin, network.socket(0), identity, "put", key, "balance=100", "--wait", "2")
        lab.wait_for("version 0 everywhere", lambda: all(len(lab.history(network.socket(i), key)) == 1 for i in range(4)), 120)
        lab.progress(f"version 0 confirmed on all four nodes (txid {first['txid'][:16]})")

        # The attacker leaves: restarted listening elsewhere, with no tracker and no peers file.
        network.nodes[3].stop()
        os.remove(os.path.join(work, "node3", "peers")) if os.path.exists(os.path.join(work, "node3", "peers")) else None
        private_port = lab.free_ports(1)
        attacker_command = [os.path.join(options.bin, "keychain-node"), "--data-dir", f"{work}/node3", "--listen",
                            f"127.0.0.1:{private_port}", "--mine", "--mining-threads", "1", "--hash-rate-limit", str(attacker_rate),
                            "--log-level", "info"]
        attacker = children.start("attacker", attacker_command, f"{work}/attacker.log")
        lab.wait_for("the attacker's socket", lambda: lab.rpc(network.socket(3), "status"), 60)
        fork_height = network.status(3)["height"]
        secret = cli(options.bin, network.socket(3), identity, "put", key, "balance=0 (rewritten)", "--if-version", "1", "--wait", "0")
        paid = cli(options.bin, network.socket(0), identity, "put", key, "balance=5 (paid to the merchant)", "--if-version", "1",
                   "--wait", "0")
        lab.progress(f"attacker cut off at height {fork_height}; version 1 written twice: honest {paid['txid'][:16]}, "
                     f"private {secret['txid'][:16]}")

        def honest_depth():
            status = lab.rpc(network.socket(0), "tx", {"txid": paid["txid"]})
            return status.get("depth", 0) if status["status"] == "confirmed" else 0
        lab.wait_for(f"the honest version {DEPTH + 1} deep", lambda: honest_depth() >= DEPTH + 1, 600, 0.2)
        before = lab.history(network.socket(0), key)
        for version in before:
            rows.append({"phase": "before", "node": 0, "version": version["version"], "value": version["value"],
                         "height": version["height"], "txid": version["txid"]})
        lab.progress(f"honest version 1 is {honest_depth()} deep (the merchant accepts); honest height {network.status(0)['height']}")

        def private_lead():
            return network.status(3)["height"] - max(network.status(i)["height"] for i in honest)
        lab.wait_for("a private fork two blocks longer", lambda: private_lead() >= 2, 900, 0.2)
        released_at = (network.status(3)["height"], max(network.status(i)["height"] for i in honest))
        lab.progress(f"private fork longer: attacker height {released_at[0]}, honest {released_at[1]}; releasing it")
        attacker.stop()
        os.remove(os.path.join(work, "node3", "peers")) if os.path.exists(os.path.join(work, "node3", "peers")) else None
        # It keeps mining as it hands its fork over: the honest side may find a block meanwhile.
        children.start("attacker", attacker_command + ["--peer", f"127.0.0.1:{network.port(0)}"], f"{work}/attacker2.log")
        started = time.time()
        lab.wait_for("the honest nodes on the attacker's version",
                     lambda: all(any(v["txid"] == secret["txid"] for v in lab.history(network.socket(i), key)) for i in honest), 120, 0.1)
        reorganised = time.time() - started
        after = lab.history(network.socket(0), key)
        for version in after:
            rows.append({"phase": "after", "node": 0, "version": version["version"], "value": version["value"],
                         "height": version["height"], "txid": version["txid"]})
        outcome = lab.rpc(network.socket(0), "tx", {"txid": paid["txid"]})
        depths = []
        for index in honest:
            for line in open(f"{work}/node{index}.log", errors="replace"):
                match = re.search(r"disconnected=(\d+)", line)
                if match and int(match.group(1)) > 0:
                    depths.append(int(match.group(1)))
        summary = {
            "difficulty": difficulty, "q": round(attacker_rate / (attacker_rate + 3 * honest_rate), 3), "fork_height": fork_height,
            "attacker_height": released_at[0], "honest_height": released_at[1], "reorg_depth": max(depths, default=0),
            "reorganised_seconds": round(reorganised, 2), "paid_status": outcome["status"], "paid_reason": outcome.get("reason", ""),
            "history_before": " | ".join(v["value"] for v in before), "history_after": " | ".join(v["value"] for v in after),
        }
        lab.progress(f"reorganised in {reorganised:.2f} s, depth {summary['reorg_depth']}; honest version 1 is now "
                     f"{outcome['status']} ({outcome.get('reason', '')})")
        lab.progress(f"history before: {summary['history_before']}")
        lab.progress(f"history after:  {summary['history_after']}")
    return rows, summary


def simulated(options):
    shares = [0.3] if options.quick else [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
    seeds = 300 if options.quick else 400
    horizon = 120 if options.quick else 300
    depths = range(11)
    rows, releases = [], []
    for q in shares:
        formula_wins = [0] * len(depths)
        protocol_wins = [0] * len(depths)
        won_at = []
        for seed in range(1, seeds + 1):
            formula_won, protocol_won = attack_sim.race(attack_sim.run(options.bin, options.work, q, seed, horizon), horizon, depths)
            for z in depths:
                formula_wins[z] += formula_won[z]
                protocol_wins[z] += protocol_won[z] is not None
            if protocol_won[DEPTH] is not None:
                won_at.append((seed, protocol_won[DEPTH]))
        for z in depths:
            for model, wins in (("formula-model", formula_wins[z]), ("protocol-rule", protocol_wins[z])):
                rate = wins / seeds
                rows.append({"q": q, "z": z, "model": model, "runs": seeds, "successes": wins, "rate": round(rate, 4),
                             "stderr": round(math.sqrt(max(rate * (1 - rate), 1 / seeds) / seeds), 4),
                             "formula": round(attack_sim.formula(q, z), 7)})
        lab.progress(f"q = {q}: success at z = {DEPTH}: {formula_wins[DEPTH] / seeds:.3f} (formula's model), "
                     f"{protocol_wins[DEPTH] / seeds:.3f} (protocol's rule); formula {attack_sim.formula(q, DEPTH):.4f}")
        # Won races replayed with the attacker reconnected: the honest nodes must follow it.
        for seed, at in won_at[: 1 if options.quick else 3]:
            followed = attack_sim.released(options.bin, options.work, q, seed, horizon, at)
            releases.append({"q": q, "seed": seed, "released_at_s": at, "honest_nodes_reorganised": int(followed)})
    return rows, releases


def plot(rows, folder):
    plt = lab.pyplot()
    figure, axis = plt.subplots(figsize=(7.5, 4.2))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, q in enumerate(sorted({row["q"] for row in rows})):
        colour = colours[index % len(colours)]
        for model, marker, style in (("formula-model", "o", "none"), ("protocol-rule", "s", "none")):
            series = [row for row in rows if row["q"] == q and row["model"] == model]
            axis.errorbar([r["z"] + (0.1 if model == "protocol-rule" else -0.1) for r in series], [r["rate"] for r in series],
                          yerr=[2 * r["stderr"] for r in series], fmt=marker, color=colour, ms=3.5, capsize=2,
                          fillstyle="full" if model == "formula-model" else "none")
        series = [row for row in rows if row["q"] == q and row["model"] == "formula-model"]
        axis.plot([r["z"] for r in series], [max(r["formula"], 1e-5) for r in series], "-", color=colour, lw=1, label=f"q = {q}")
    axis.set(yscale="log", ylim=(1e-4, 1.3), xlabel="z (blocks after the honest version's block)", ylabel="attacker's success rate",
             title="51% attack: lines Nakamoto's formula; filled the formula's model, hollow the protocol's rule (±2 s.e.)")
    axis.title.set_fontsize(8)
    axis.legend(fontsize=7, ncol=2)
    figure.tight_layout()
    figure.savefig(os.path.join(folder, "attack-sim.png"))
    lab.progress(f"plotted {os.path.join(folder, 'attack-sim.png')}")


def main():
    options = lab.arguments("A 51% attack on real processes, then its success rate in the simulator.")
    real_rows, summary = real_attack(options)
    lab.write_csv(os.path.join(options.out, "attack-real.csv"), ["phase", "node", "version", "value", "height", "txid"], real_rows)
    lab.write_csv(os.path.join(options.out, "attack-real-summary.csv"), list(summary), [summary])
    sim_rows, releases = simulated(options)
    lab.write_csv(os.path.join(options.out, "attack-sim.csv"),
                  ["q", "z", "model", "runs", "successes", "rate", "stderr", "formula"], sim_rows)
    lab.write_csv(os.path.join(options.out, "attack-release.csv"), ["q", "seed", "released_at_s", "honest_nodes_reorganised"], releases)
    if not options.no_plots:
        plot(sim_rows, options.plots)


if __name__ == "__main__":
    main()
