"""The 51% attack in the simulator: the attacker's success rate over many seeded runs against its
hash share q and the depth z of the version it rewrites, next to the whitepaper's formula.

Each run is the node's own protocol on 6 simulated nodes (5 honest, 1 attacker; links of
50 ms +- 20 ms, one block a second across the network): mining pauses for a second so every
node holds the same tip, then the attacker is cut off with a share q and mines in private
from that tip while the honest nodes mine on; the honest put is in the honest side's first
block. From the run's blocks (who mined which height, when) the race is read for every z at
once, under two rules:
- the formula's model (Nakamoto 2008, section 11): the attacker has succeeded once the honest chain is z blocks
  past the fork and the attacker's chain is as long;
- the protocol's rule: the merchant waits for z blocks after the put's block (depth z+1), and
  honest nodes reorganise only onto strictly more work, so the attacker needs one block more.
A run ends after `horizon` blocks' worth of time: the attacker gives up then."""

import json
import math
import os
import subprocess


ATTACKER = 5
# The simulator's clock starts 1 s after the network's creation, and the CSV counts from the
# creation: an event "at" t seconds is at 1,000 t + 1,000 ms in the CSV.
ORIGIN = 1_000


def formula(q, z):
    """Nakamoto's AttackerSuccessProbability(q, z)."""
    p = 1.0 - q
    if q >= p:
        return 1.0
    lam = z * (q / p)
    total = 1.0
    for k in range(z + 1):
        poisson = math.exp(-lam) * lam ** k / math.factorial(k)
        total -= poisson * (1 - (q / p) ** (z - k))
    return total


def exact(q, z, horizon, rule="formula-model"):
    """The probability that the race of `race` is won within `horizon` seconds when blocks come
    one a second across the network, each the attacker's with probability q, and none is ever
    stale: the number of blocks in the horizon is Poisson, and a walk over (honest, attacker)
    block counts gives the chance the race is won within n blocks. Under the formula's model the
    attacker needs honest >= z and attacker >= honest; under the protocol's rule one block more
    of each. With an unbounded horizon this is the exact catch-up probability that Nakamoto's
    formula approximates (the attacker's progress is negative binomial, not Poisson)."""
    need = z if rule == "formula-model" else z + 1
    lead = 0 if rule == "formula-model" else 1
    if need == 0 and lead == 0:
        return 1.0
    blocks = int(horizon + 10 * math.sqrt(horizon) + 20)
    alive = {0: 1.0}  # honest count -> probability, over the walks not yet won, after n blocks
    won_within = [0.0]
    for n in range(1, blocks + 1):
        following, won = {}, 0.0
        for honest, chance in alive.items():
            for next_honest, weight in ((honest + 1, 1 - q), (honest, q)):
                attacker = n - next_honest
                if next_honest >= need and attacker >= next_honest + lead:
                    won += chance * weight
                else:
                    following[next_honest] = following.get(next_honest, 0.0) + chance * weight
        alive = {honest: chance for honest, chance in following.items() if chance > 1e-15}
        won_within.append(won_within[-1] + won)
    # The blocks in the horizon: Poisson with mean `horizon`, summed in log space.
    total = 0.0
    for n in range(blocks + 1):
        total += math.exp(-horizon + n * math.log(horizon) - math.lgamma(n + 1)) * won_within[n]
    return min(1.0, total)


def wilson(successes, runs, z=1.96):
    """The 95% Wilson score interval of a binomial rate."""
    if runs == 0:
        return 0.0, 1.0
    rate = successes / runs
    centre = (rate + z * z / (2 * runs)) / (1 + z * z / runs)
    half = z * math.sqrt(rate * (1 - rate) / runs + z * z / (4 * runs * runs)) / (1 + z * z / runs)
    return max(0.0, centre - half), min(1.0, centre + half)


def honest_stale(rows, horizon):
    """The share of the blocks the honest side mined during the race that its chain did not
    keep: (blocks mined - heights gained) / blocks mined."""
    fork = max((height for mined, _, height, _ in rows if mined < ORIGIN + 4_000), default=0)
    window = [(height, miner) for mined, miner, height, _ in rows if ORIGIN + 5_000 <= mined <= ORIGIN + (5 + horizon) * 1_000]
    honest = [height for height, miner in window if miner != ATTACKER]
    if not honest:
        return 0, 0
    return len(honest) - (max(honest) - fork), len(honest)


def scenario(q, horizon, release_at=None):
    shares = [(1 - q) / 5] * 5 + [q]
    events = [{"at": 4, "mining": False}, {"at": 5, "mining": True}, {"at": 5, "hashShares": shares},
              {"at": 5, "partition": [[0, 1, 2, 3, 4], [ATTACKER]]}]
    duration = 5 + horizon
    if release_at is not None:
        events.append({"at": release_at, "heal": True})
        duration = release_at + 10
    return {"nodes": 6, "outbound": 5, "trackerPeers": 5, "blockIntervalMs": 1000, "durationSeconds": duration,
            "settleSeconds": 1, "events": events}


def run(binaries, work, q, seed, horizon, release_at=None):
    path = os.path.join(work, f"attack-{q}-{seed}.json")
    with open(path, "w") as handle:
        json.dump(scenario(q, horizon, release_at), handle)
    blocks = os.path.join(work, f"attack-{q}-{seed}.csv")
    subprocess.run([os.path.join(binaries, "keychain-sim"), "--scenario", path, "--seed", str(seed), "--json", "--out", blocks],
                   capture_output=True, text=True, check=True)
    rows = []
    with open(blocks) as handle:
        next(handle)
        for line in handle:
            _, mined, miner, height, reached, *_ = line.strip().split(",")
            rows.append((int(mined), int(miner), int(height), int(reached)))
    os.remove(path)
    os.remove(blocks)
    return rows


def race(rows, horizon, depths):
    """For each z: (formula-model success, protocol-rule success, when the latter first held)."""
    fork = max((height for mined, _, height, _ in rows if mined < ORIGIN + 4_000), default=0)
    honest = attacker = 0
    formula_won = {z: z == 0 for z in depths}
    protocol_won = {z: None for z in depths}
    for mined, miner, height, _ in sorted(rows):
        if mined < ORIGIN + 5_000 or mined > ORIGIN + (5 + horizon) * 1_000:
            continue
        if miner == ATTACKER:
            attacker = max(attacker, height - fork)
        else:
            honest = max(honest, height - fork)
        for z in depths:
            if honest >= z and attacker >= honest:
                formula_won[z] = True
            if protocol_won[z] is None and honest >= z + 1 and attacker >= honest + 1:
                protocol_won[z] = (mined - ORIGIN) / 1_000
    return formula_won, protocol_won


def released(binaries, work, q, seed, horizon, at):
    """Re-runs a won race with the attacker reconnected just after it pulled ahead: whether every
    honest node took one of the attacker's private blocks as its tip (reorganised onto its fork;
    the simulator records a block's arrival at a node when it becomes the node's tip)."""
    rows = run(binaries, work, q, seed, horizon, release_at=at + 0.01)
    fork = max((height for mined, _, height, _ in rows if mined < ORIGIN + 4_000), default=0)
    return any(miner == ATTACKER and height > fork and mined >= ORIGIN + 5_000 and reached == 6
               for mined, miner, height, reached in rows)
