#!/usr/bin/env python3
"""A 51% attack, first with real processes, then its success rate in the simulator.

Real processes, three runs at each of three nominal shares of the hash power (the attacker's
share of the hash-rate caps: 0.45, 0.57, 0.75): a tracker, 3 honest mining nodes and an attacker
node. The share that counts is measured from the blocks each side seals (each node logs a
"mined" line per block), with a Wilson interval: capped honest miners seal fewer blocks than
their caps promise, so caps of 0.45 already make a bare majority. Every node first holds
version 0 of `ledger/balance` (its owner is the attacker) and the victim's `victim/deed`, and
mines together for 30 blocks. Then the attacker cuts itself off and writes, in private, its own
version 1 of the ledger, tries to write the victim's deed (refused: not the owner) and claims a
key nobody has yet (`victim/new`). In public, the owner pays a merchant (version 1) and writes
version 2 on top of it; the victim renews the deed and creates `victim/new`. Once the payment is
6 blocks deep and the private fork is two blocks longer, the attacker reconnects: the honest
nodes reorganise. The histories before, right after and 5 blocks after the release show what
was rewritten (the superseded version 1, under version 2), what came back (puts that still fit
are mined again), and what a majority can do to keys it does not own (take one created after
the fork; never write one whose first version is older than the fork).

Simulator: the attack's success rate over many seeded runs against the attacker's share q
(0.1-0.7, and 0.40-0.55 in steps of 0.01) and the depth z (0-10), with Wilson intervals, beside
Nakamoto's formula and the exact probability over the same horizon, and the honest side's
stale rate in the same runs (see attack_sim.py).

    python3 experiments/attack.py            # 3 shares x 3 real runs, then 21 shares x 400 seeds (about 30 min)
    python3 experiments/attack.py --only real --shares 0.5   # one half alone, at other shares
    python3 experiments/attack.py --quick    # one real run at q = 0.75, then q = 0.3 and 0.45 x 200 seeds

Writes experiments/results/attack-real.csv (histories), attack-real-summary.csv (a row a run),
attack-sim.csv, attack-release.csv and experiments/plots/attack-sim.png, attack-sweep.png."""

import calendar
import concurrent.futures
import math
import os
import re
import time

import attack_sim
import lab

DEPTH = 2  # the honest version waits for this many blocks after its own


def log_lines(path, since, until, word):
    """The lines of a node's log with `word` in them, stamped between two moments."""
    found = []
    for line in open(path, errors="replace"):
        if word not in line:
            continue
        try:
            stamp = calendar.timegm(time.strptime(line[:19], "%Y-%m-%dT%H:%M:%S"))
        except ValueError:
            continue
        if since - 1 < stamp < until:  # the log's stamps are whole seconds
            found.append(line)
    return found


def mined_blocks(path, since, until):
    """How many blocks a node sealed between two moments (its "mined" lines)."""
    return len([line for line in log_lines(path, since, until, "] mined") if "hash=" in line])


def attack_run(options, share, run):
    """One attack on real processes at the attacker's nominal share; returns history rows and a
    summary row. See the module's description."""
    difficulty = 16 if options.quick else 18
    total = 160_000 if options.quick else 480_000
    attacker_rate = round(total * share)
    honest_rate = round((total - attacker_rate) / 3)
    work = os.path.join(options.work, f"real-{share}-{run}")
    owner, victim, attacker_identity = (os.path.join(work, name) for name in ("owner.key", "victim.key", "attacker.key"))
    rows = []
    with lab.Children() as children:
        network = lab.Network(children, options.bin, work, difficulty=difficulty, hash_rates=[honest_rate] * 3 + [attacker_rate])
        honest, attacker_log = [0, 1, 2], f"{work}/node3.log"
        network.wait_ready(peers=3)
        began = time.time()
        # The history every node agrees on: the ledger's version 0 (its owner is the attacker)
        # and the victim's deed.
        lab.signed_put(options.bin, network.socket(0), owner, "ledger/balance", "balance=100", version=0)
        lab.signed_put(options.bin, network.socket(0), victim, "victim/deed", "deed: the victim's house")
        lab.wait_for("the common history everywhere", lambda: all(
            len(lab.history(network.socket(i), "ledger/balance")) == 1 and len(lab.history(network.socket(i), "victim/deed")) == 1
            for i in range(4)), 120)
        # Mining together long enough to measure the shares from the blocks each side seals.
        lab.wait_for("30 blocks mined together", lambda: network.status(0)["height"] >= 30, 300, 0.2)
        # The attacker leaves: restarted listening elsewhere, with no tracker and no peers file.
        network.nodes[3].stop()
        cut_at = time.time()
        peers_file = os.path.join(work, "node3", "peers")
        if os.path.exists(peers_file):
            os.remove(peers_file)
        private_port = lab.free_ports(1)
        attacker_command = [os.path.join(options.bin, "keychain-node"), "--data-dir", f"{work}/node3", "--listen",
                            f"127.0.0.1:{private_port}", "--mine", "--mining-threads", "1", "--hash-rate-limit", str(attacker_rate),
                            "--log-level", "info"]
        attacker = children.start("attacker", attacker_command, f"{work}/attacker.log")
        lab.wait_for("the attacker's socket", lambda: lab.rpc(network.socket(3), "status"), 60)
        fork_height = network.status(3)["height"]
        # In private: the ledger's version 1 as the attacker wants it, and the victim's keys.
        secret = lab.signed_put(options.bin, network.socket(3), owner, "ledger/balance", "balance=100 (the payment never happened)", version=1)
        refusals = {}
        try:
            lab.signed_put(options.bin, network.socket(3), attacker_identity, "victim/deed", "deed: the attacker's now")
        except lab.Refused as refusal:
            refusals["victim/deed"] = str(refusal)
        taken = lab.signed_put(options.bin, network.socket(3), attacker_identity, "victim/new", "claimed by the attacker")
        # In public: the payment (version 1), then a later version on top of it; the victim's
        # deed renewed and a new key of the victim's.
        paid = lab.signed_put(options.bin, network.socket(0), owner, "ledger/balance", "balance=60 (paid 40 to the merchant)", version=1)
        later = lab.signed_put(options.bin, network.socket(0), owner, "ledger/balance", "balance=50 (paid 10 more)", version=2)
        renewed = lab.signed_put(options.bin, network.socket(1), victim, "victim/deed", "deed: the victim's house, renewed")
        created = lab.signed_put(options.bin, network.socket(2), victim, "victim/new", "created by the victim")
        lab.progress(f"q = {share} run {run}: attacker cut off at height {fork_height}; version 1 of ledger/balance written on both sides")

        def depth(txid):
            status = lab.rpc(network.socket(0), "tx", {"txid": txid})
            return status.get("depth", 0) if status["status"] == "confirmed" else 0

        def lead():
            return network.status(3)["height"] - max(network.status(i)["height"] for i in honest)
        # The merchant accepts the payment at depth 6; the attacker releases only once it is
        # that deep and its own chain is two blocks longer (one block's lead loses to the honest
        # blocks found while the attacker restarts and hands its fork over).
        limit = 300 if options.quick else 900
        try:
            lab.wait_for("the payment 6 deep and the private fork 2 blocks ahead",
                         lambda: depth(later) >= 1 and depth(paid) >= 6 and lead() >= 2, limit, 0.2)
        except TimeoutError:
            lab.progress(f"q = {share} run {run}: the attacker did not pull ahead within {limit} s")
            return rows, {"share_nominal": share, "run": run, "outcome": "never ahead", **lab.provenance()}
        released_at = time.time()
        attacker_height, honest_height = network.status(3)["height"], max(network.status(i)["height"] for i in honest)
        paid_depth = depth(paid)
        before = {key: lab.history(network.socket(0), key) for key in KEYS}
        attacker.stop()
        if os.path.exists(peers_file):
            os.remove(peers_file)
        children.start("attacker", attacker_command + ["--peer", f"127.0.0.1:{network.port(0)}"], f"{work}/attacker2.log")
        started = time.time()
        lab.wait_for("the honest nodes on the attacker's ledger",
                     lambda: all(any(v["txid"] == secret for v in lab.history(network.socket(i), "ledger/balance")) for i in honest),
                     120, 0.1)
        reorganised = time.time() - started
        right_after = {key: lab.history(network.socket(0), key) for key in KEYS}
        # The history once the network has mined on: puts that still fit are mined again. Wait
        # for 5 blocks, and for those puts (60 s at most: what has not come back by then is
        # reported as it stands).
        settle = network.status(0)["height"] + 5
        lab.wait_for("5 blocks after the release", lambda: network.status(0)["height"] >= settle, 120, 0.2)
        def status(txid):
            return lab.rpc(network.socket(0), "tx", {"txid": txid})
        try:
            lab.wait_for("the later puts mined again", lambda: all(status(txid)["status"] == "confirmed" for txid in (later, renewed)), 60, 0.2)
        except TimeoutError:
            pass
        statuses = {name: status(txid) for name, txid in (("paid", paid), ("later", later), ("renewed", renewed), ("created", created))}
        settled = {key: lab.history(network.socket(0), key) for key in KEYS}
        for phase, histories in (("before", before), ("right after", right_after), ("later", settled)):
            for key, versions in histories.items():
                for version in versions:
                    rows.append({"share_nominal": share, "run": run, "phase": phase, "key": key, "version": version["version"],
                                 "value": version["value"], "height": version["height"], "txid": version["txid"][:16]})
        depths = [int(match.group(1)) for index in honest for line in log_lines(f"{work}/node{index}.log", released_at, time.time(), "new tip")
                  for match in [re.search(r"disconnected=(\d+)", line)] if match]
        logs = [f"{work}/node{index}.log" for index in honest]
        calibration = [sum(mined_blocks(log, began, cut_at) for log in logs), mined_blocks(attacker_log, began, cut_at)]
        private = [sum(mined_blocks(log, cut_at, released_at) for log in logs), mined_blocks(f"{work}/attacker.log", cut_at, released_at)]
        together = calibration[1] + private[1], calibration[0] + calibration[1] + private[0] + private[1]
        low, high = attack_sim.wilson(*together)
        summary = {
            "share_nominal": share, "run": run, "outcome": "rewritten" if statuses["paid"]["status"] != "confirmed" else "failed",
            "difficulty": difficulty, "honest_mined_together": calibration[0], "attacker_mined_together": calibration[1],
            "honest_mined_private": private[0], "attacker_mined_private": private[1],
            "share_measured": round(together[0] / max(together[1], 1), 3), "share_low": round(low, 3), "share_high": round(high, 3),
            "fork_height": fork_height, "attacker_height": attacker_height, "honest_height": honest_height,
            "payment_depth_at_release": paid_depth, "reorg_depth": max(depths, default=0), "private_seconds": round(released_at - cut_at, 1),
            "reorganised_seconds": round(reorganised, 2),
            "paid_status": statuses["paid"]["status"], "paid_reason": statuses["paid"].get("reason", ""),
            "later_status": statuses["later"]["status"], "renewed_status": statuses["renewed"]["status"],
            "created_status": statuses["created"]["status"], "created_reason": statuses["created"].get("reason", ""),
            "deed_refusal": refusals.get("victim/deed", "(accepted)"),
            "ledger_before": " | ".join(v["value"] for v in before["ledger/balance"]),
            "ledger_after": " | ".join(v["value"] for v in settled["ledger/balance"]),
            "new_key_owner": "attacker" if settled["victim/new"] and settled["victim/new"][0]["txid"] == taken else "victim",
            **lab.provenance(),
        }
        lab.progress(f"q = {share} run {run}: measured q = {summary['share_measured']} ({low:.2f}-{high:.2f}); released "
                     f"{attacker_height} against {honest_height} with the payment {paid_depth} deep; reorganised {summary['reorg_depth']} "
                     f"blocks in {reorganised:.2f} s; payment {summary['paid_status']}; ledger now: {summary['ledger_after']}")
    return rows, summary


KEYS = ["ledger/balance", "victim/deed", "victim/new"]


def real_attacks(options):
    """The attack at a bare majority and at a larger one, several runs each."""
    shares = [float(share) for share in options.shares.split(",")] if options.shares else ([0.75] if options.quick else [0.45, 0.57, 0.75])
    runs = 1 if options.quick else 3
    rows, summaries = [], []
    for share in shares:
        for run in range(1, runs + 1):
            history, summary = attack_run(options, share, run)
            rows += history
            summaries.append(summary)
    return rows, summaries


def one_race(arguments):
    binaries, work, q, seed, horizon, depths = arguments
    rows = attack_sim.run(binaries, work, q, seed, horizon)
    formula_won, protocol_won = attack_sim.race(rows, horizon, depths)
    return seed, formula_won, protocol_won, attack_sim.honest_stale(rows, horizon)


def simulated(options):
    """Each share's races over many seeds (two at a time, one a core), the success rates with
    their Wilson intervals beside Nakamoto's formula and the exact probability over the same
    horizon, and the honest side's stale rate in the same runs."""
    if options.quick:
        shares, seeds = [0.3, 0.45], 200
    else:
        shares, seeds = [0.1, 0.2, 0.3] + [round(0.40 + 0.01 * step, 2) for step in range(16)] + [0.6, 0.7], 400
    horizon = 120 if options.quick else 300
    depths = range(11)
    rows, releases = [], []
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        for q in shares:
            formula_wins = [0] * len(depths)
            protocol_wins = [0] * len(depths)
            won_at, stale, honest_blocks = [], 0, 0
            jobs = [(options.bin, options.work, q, seed, horizon, depths) for seed in range(1, seeds + 1)]
            for seed, formula_won, protocol_won, (lost, mined) in pool.map(one_race, jobs):
                for z in depths:
                    formula_wins[z] += formula_won[z]
                    protocol_wins[z] += protocol_won[z] is not None
                if protocol_won[DEPTH] is not None:
                    won_at.append((seed, protocol_won[DEPTH]))
                stale, honest_blocks = stale + lost, honest_blocks + mined
            stale_rate = stale / max(honest_blocks, 1)
            for z in depths:
                for model, wins in (("formula-model", formula_wins[z]), ("protocol-rule", protocol_wins[z])):
                    rate = wins / seeds
                    low, high = attack_sim.wilson(wins, seeds)
                    rows.append({"q": q, "z": z, "model": model, "runs": seeds, "successes": wins, "rate": round(rate, 4),
                                 "stderr": round(math.sqrt(max(rate * (1 - rate), 1 / seeds) / seeds), 4),
                                 "wilson_low": round(low, 4), "wilson_high": round(high, 4),
                                 "formula": round(attack_sim.formula(q, z), 7), "exact": round(attack_sim.exact(q, z, horizon, model), 7),
                                 "honest_stale_rate": round(stale_rate, 4), "horizon_s": horizon, "seeds": f"1-{seeds}",
                                 **lab.provenance()})
            lab.progress(f"q = {q}: success at z = {DEPTH}: {formula_wins[DEPTH] / seeds:.3f} (formula's model; exact "
                         f"{attack_sim.exact(q, DEPTH, horizon):.3f}), {protocol_wins[DEPTH] / seeds:.3f} (protocol's rule); formula "
                         f"{attack_sim.formula(q, DEPTH):.4f}; honest stale rate {stale_rate:.3f}")
            # Won races replayed with the attacker reconnected: the honest nodes must follow it.
            for seed, at in won_at[: 1 if options.quick else (3 if q in (0.3, 0.5, 0.7) else 0)]:
                followed = attack_sim.released(options.bin, options.work, q, seed, horizon, at)
                releases.append({"q": q, "seed": seed, "released_at_s": at, "honest_nodes_reorganised": int(followed)})
    return rows, releases


def plot(rows, folder):
    plt = lab.pyplot()
    figure, axis = plt.subplots(figsize=(7.5, 4.2))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    coarse = [q for q in sorted({row["q"] for row in rows}) if round(q * 10, 6) == round(q * 10)]
    for index, q in enumerate(coarse):
        colour = colours[index % len(colours)]
        for model, marker, style in (("formula-model", "o", "none"), ("protocol-rule", "s", "none")):
            shift = 0.1 if model == "protocol-rule" else -0.1
            fill = "full" if model == "formula-model" else "none"
            # A rate of zero has no place on a log axis: its interval's upper end is drawn
            # instead, as a downward triangle.
            series = [row for row in rows if row["q"] == q and row["model"] == model and row["rate"] > 0]
            axis.errorbar([r["z"] + shift for r in series], [r["rate"] for r in series],
                          yerr=[[r["rate"] - r["wilson_low"] for r in series], [r["wilson_high"] - r["rate"] for r in series]],
                          fmt=marker, color=colour, ms=3.5, capsize=2, fillstyle=fill)
            zeros = [row for row in rows if row["q"] == q and row["model"] == model and row["rate"] == 0]
            axis.plot([r["z"] + shift for r in zeros], [r["wilson_high"] for r in zeros], "v", color=colour, ms=3.5, fillstyle=fill)
        series = [row for row in rows if row["q"] == q and row["model"] == "formula-model"]
        axis.plot([r["z"] for r in series], [max(r["formula"], 1e-5) for r in series], "-", color=colour, lw=1, label=f"q = {q}")
    axis.set(yscale="log", ylim=(1e-4, 1.3), xlabel="z (blocks after the honest version's block)", ylabel="attacker's success rate",
             title="51% attack: lines Nakamoto's formula; filled the formula's model, hollow the protocol's rule\n"
                   "(95% Wilson intervals; a triangle: no success in the runs, drawn at the interval's upper end)")
    axis.title.set_fontsize(8)
    axis.legend(fontsize=7, ncol=2)
    figure.tight_layout()
    figure.savefig(os.path.join(folder, "attack-sim.png"))
    lab.progress(f"plotted {os.path.join(folder, 'attack-sim.png')}")
    plot_sweep(rows, folder)


def plot_sweep(rows, folder):
    """Success rate against q around one half, at a few depths: the simulator's rates with their
    Wilson intervals, the exact probability over the same horizon, and Nakamoto's formula."""
    plt = lab.pyplot()
    fine = sorted({row["q"] for row in rows if 0.39 < row["q"] < 0.56})
    if len(fine) < 3:
        return
    figure, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for axis, model, title in ((axes[0], "formula-model", "the formula's model"), (axes[1], "protocol-rule", "the protocol's rule")):
        for index, z in enumerate((1, 3, 6)):
            series = [row for row in rows if row["q"] in fine and row["z"] == z and row["model"] == model]
            colour = colours[index]
            axis.errorbar([row["q"] for row in series], [row["rate"] for row in series],
                          yerr=[[row["rate"] - row["wilson_low"] for row in series], [row["wilson_high"] - row["rate"] for row in series]],
                          fmt="o", ms=3, capsize=2, color=colour, label=f"z = {z}, simulated (95% Wilson)")
            axis.plot([row["q"] for row in series], [row["exact"] for row in series], "-", color=colour, lw=1, label=f"z = {z}, exact")
            if model == "formula-model":
                axis.plot([row["q"] for row in series], [row["formula"] for row in series], ":", color=colour, lw=1,
                          label=f"z = {z}, Nakamoto")
        axis.set(xlabel="attacker's share q", title=f"Success within {series[0]['horizon_s']} s, {title}")
        axis.title.set_fontsize(9)
    axes[0].set_ylabel("attacker's success rate")
    axes[0].legend(fontsize=6, ncol=1)
    figure.tight_layout()
    figure.savefig(os.path.join(folder, "attack-sweep.png"))
    lab.progress(f"plotted {os.path.join(folder, 'attack-sweep.png')}")


def main():
    def extra(parser):
        parser.add_argument("--only", choices=["real", "sim"], help="run one half and write its CSVs alone")
        parser.add_argument("--shares", help="the real runs' nominal shares, comma-separated (default 0.45,0.57,0.75; 0.75 with --quick)")
    options = lab.arguments("A 51% attack on real processes, then its success rate in the simulator.", extra)
    if options.only != "sim":
        real_rows, summaries = real_attacks(options)
        lab.write_csv(os.path.join(options.out, "attack-real.csv"),
                      ["share_nominal", "run", "phase", "key", "version", "value", "height", "txid"], real_rows)
        columns = list(max(summaries, key=len))
        lab.write_csv(os.path.join(options.out, "attack-real-summary.csv"), columns,
                      [{column: summary.get(column, "") for column in columns} for summary in summaries])
    if options.only != "real":
        sim_rows, releases = simulated(options)
        lab.write_csv(os.path.join(options.out, "attack-sim.csv"),
                      ["q", "z", "model", "runs", "successes", "rate", "stderr", "wilson_low", "wilson_high", "formula", "exact",
                       "honest_stale_rate", "horizon_s", "seeds", "commit", "machine"], sim_rows)
        lab.write_csv(os.path.join(options.out, "attack-release.csv"), ["q", "seed", "released_at_s", "honest_nodes_reorganised"], releases)
        if not options.no_plots:
            plot(sim_rows, options.plots)


if __name__ == "__main__":
    main()
