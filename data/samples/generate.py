#!/usr/bin/env python3
"""Writes N keys for `keychain-cli import` to stdout, as CSV (default) or JSON lines.

    python3 data/samples/generate.py --count 100000 --key-bytes 32 --value-bytes 100 > keys.csv
    python3 data/samples/generate.py --count 1000 --format jsonl > keys.jsonl

Keys are `load/` followed by a zero-padded number, padded to --key-bytes; values are printable
text of exactly --value-bytes. The same arguments always give the same file.
"""
import argparse
import json
import random
import sys

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--count", type=int, default=1000)
parser.add_argument("--key-bytes", type=int, default=32)
parser.add_argument("--value-bytes", type=int, default=100)
parser.add_argument("--format", choices=["csv", "jsonl"], default="csv")
parser.add_argument("--seed", type=int, default=1)
args = parser.parse_args()
if not 8 <= args.key_bytes <= 255:
    parser.error("--key-bytes must be 8-255")

rng = random.Random(args.seed)
alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "
out = sys.stdout
if args.format == "csv":
    out.write("key,value\n")
for index in range(args.count):
    key = f"load/{index:0{args.key_bytes - 5}d}"[: args.key_bytes]
    value = "".join(rng.choice(alphabet) for _ in range(args.value_bytes))
    if args.format == "csv":
        out.write(f"{key},{value}\n")
    else:
        out.write(json.dumps({"key": key, "value": value}) + "\n")
