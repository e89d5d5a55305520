#!/usr/bin/env python3
"""Writes KeyChain's own ASERT runs (keychain-run01 ... keychain-run08 beside this file) in the
reference runs' format, from an implementation of aserti3-2d of its own: Python integers, which
never overflow, where ASERTSchedule works 320 bits wide. KeyChain's parameters: times in
milliseconds, 1,000 ms blocks, a 30,000 ms half-life, an easiest target of 2^255 (which the
reference runs, with their limit of 0x1d00ffff, never reach).

    python3 Tests/KeyChainCoreTests/Vectors/asert/make-keychain-runs.py

The runs are consensus data: written once, checked by ASERTScheduleTests, never regenerated to
make a test pass.
"""
import os
import random

INTERVAL = 1_000
HALF_LIFE = 30_000
EASIEST = 1 << 255
GENESIS_TIME = 1_767_225_600_000  # 2026-01-01, in milliseconds


def compact(value):
    """Bitcoin's compact form, rounding down, as nBits is computed from a target."""
    size = (value.bit_length() + 7) // 8
    mantissa = value << (8 * (3 - size)) if size <= 3 else value >> (8 * (size - 3))
    if mantissa & 0x0080_0000:
        mantissa >>= 8
        size += 1
    return size << 24 | mantissa


def expand(bits):
    """The target a compact form stands for (non-negative, non-zero forms only)."""
    size, mantissa = bits >> 24, bits & 0x007F_FFFF
    return mantissa >> (8 * (3 - size)) if size <= 3 else mantissa << (8 * (size - 3))


def next_target(anchor_bits, anchor_height, anchor_parent_time, height, time):
    """aserti3-2d: the target after the block at `height` with timestamp `time`."""
    heights_past = max(height - anchor_height, 0)
    behind = time - anchor_parent_time - INTERVAL * (heights_past + 1)
    # Division truncating toward zero, as the rule's C++ does (Python's // floors).
    exponent = abs(behind) * 65_536 // HALF_LIFE
    exponent = exponent if behind >= 0 else -exponent
    shifts, fraction = exponent >> 16, exponent & 0xFFFF
    factor = 65_536 + ((195_766_423_245_049 * fraction + 971_821_376 * fraction ** 2
                        + 5_127 * fraction ** 3 + (1 << 47)) >> 48)
    target = expand(anchor_bits) * factor
    shifts -= 16
    target = target >> -shifts if shifts <= 0 else target << shifts
    return compact(min(max(target, 1), EASIEST))


def write(number, description, anchor_bits, blocks):
    """`blocks` yields (height, time); each line gets the target after that block."""
    anchor_parent_time = GENESIS_TIME - INTERVAL
    lines = [f"## description: keychain-run{number:02d} - {description}",
             "##   anchor height: 0",
             f"##   anchor ancestor time: {anchor_parent_time}",
             f"##   anchor nBits: 0x{anchor_bits:08x}",
             f"##   interval: {INTERVAL}",
             f"##   half-life: {HALF_LIFE}",
             f"##   easiest nBits: 0x{compact(EASIEST):08x}"]
    rows = [(height, time, next_target(anchor_bits, 0, anchor_parent_time, height, time)) for height, time in blocks]
    lines += [f"##   iterations: {len(rows)}", "# iteration,height,time,target"]
    lines += [f"{index} {height} {time} 0x{bits:08x}" for index, (height, time, bits) in enumerate(rows, 1)]
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), f"keychain-run{number:02d}"), "w") as out:
        out.write("\n".join(lines) + "\n")


def mined(anchor_bits, count, hash_ratio, seed, start=1):
    """Blocks whose solve times are drawn from each block's own target: mean interval times
    the anchor's target over the current one, over the hash rate (1 = the anchor's)."""
    rng = random.Random(seed)
    bits, time = anchor_bits, GENESIS_TIME
    for height in range(start, start + count):
        mean = INTERVAL * expand(anchor_bits) / expand(bits) / hash_ratio(height)
        time += max(1, round(rng.expovariate(1 / mean)))
        yield height, time
        bits = next_target(anchor_bits, 0, GENESIS_TIME - INTERVAL, height, time)


def main():
    bits20, bits1 = compact(1 << 236), compact(EASIEST)
    write(1, "steady 1000 ms blocks at 20 bits", bits20, ((h, GENESIS_TIME + h * INTERVAL) for h in range(1, 11)))
    write(2, "steady 1000 ms blocks at the easiest target, 2^255", bits1,
          ((h, GENESIS_TIME + h * INTERVAL) for h in range(1, 11)))
    write(3, "from 20 bits, a half-life behind at every block, doubling to the easiest target and held there", bits20,
          ((h, GENESIS_TIME + h * (INTERVAL + HALF_LIFE)) for h in range(1, 31)))
    write(4, "from 20 bits, a block every millisecond: the target halves every 30 blocks", bits20,
          ((h, GENESIS_TIME + h) for h in range(1, 601)))
    write(5, "solve times drawn from each block's target, stable hash rate", bits20,
          mined(bits20, 1000, lambda h: 1, seed=5))
    write(6, "solve times drawn from each block's target, hash rate x10 at block 200, back to x1 at block 600",
          bits20, mined(bits20, 1000, lambda h: 10 if 200 <= h < 600 else 1, seed=6))
    write(7, "each block 1 ms before its parent", bits20, ((h, GENESIS_TIME - h) for h in range(1, 101)))
    write(8, "a slow start at the easiest target, then hash rate x1000", bits1,
          mined(bits1, 400, lambda h: 1000 if h > 50 else 1, seed=8))


if __name__ == "__main__":
    main()
