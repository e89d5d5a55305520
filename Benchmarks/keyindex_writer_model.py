#!/usr/bin/env python3
"""The key index's write pattern alone, in SQLite through Python's sqlite3: how fast layouts of
the index take a `--dev` import's puts, without building or running a node.

    python3 Benchmarks/keyindex_writer_model.py LAYOUT [KEYS] [ROUNDS] [PUTS_PER_COMMIT] [CACHE_MB]

KEYS keys named as data/samples/generate.py names them (`load/000…`, 32 bytes) are each written
ROUNDS times with 100-byte values, in key order, PUTS_PER_COMMIT puts to a transaction (a block,
or several the writer took together). Prints puts/s and the database's size after each round.
The statements are KeyIndexWriter's (format 2: a key's latest version in its `keys` row, earlier
ones in `versions`, every txid in `txids`); LAYOUT changes one thing:

  current     format 2 as the node writes it
  no-txids    no `txids` insert (what the confirmed-txid table costs)
  key-local   no `txids` table; an index on versions (key, txid) answers "is this put already
              confirmed?" from the put's own key, as a replay check could
  short-txids `txids` keyed by the first 16 bytes of the txid, `versions` in chain order

Figures are for comparing layouts in one run on one machine, not node import rates: the node
also verifies, admits, mines and stores blocks on the same cores.
"""
import hashlib
import os
import random
import sqlite3
import sys
import tempfile
import time

layouts = ("current", "no-txids", "key-local", "short-txids")
layout = sys.argv[1] if len(sys.argv) > 1 else ""
if layout not in layouts:
    sys.exit(f"usage: keyindex_writer_model.py {{{'|'.join(layouts)}}} [KEYS] [ROUNDS] [PUTS_PER_COMMIT] [CACHE_MB]")
keys, rounds, per_commit, cache_mb = (int(a) for a in (sys.argv[2:] + ["1000000", "4", "5000", "64"][len(sys.argv) - 2:]))

directory = tempfile.mkdtemp(prefix="keyindex-model.")
path = os.path.join(directory, "keyindex.sqlite")
db = sqlite3.connect(path, isolation_level=None)
versions_table = "versions_by_chain" if layout == "short-txids" else "versions"
db.executescript(f"""
    PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -{cache_mb * 1024};
    PRAGMA journal_size_limit = {16 << 20};
    CREATE TABLE chain (height INTEGER PRIMARY KEY, hash BLOB NOT NULL);
    CREATE TABLE keys (key BLOB PRIMARY KEY, id INTEGER NOT NULL, versions INTEGER NOT NULL, owner BLOB NOT NULL,
        height INTEGER NOT NULL, txid BLOB NOT NULL, value BLOB NOT NULL, author BLOB, kind INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
    CREATE TABLE versions (key INTEGER NOT NULL, number INTEGER NOT NULL, height INTEGER NOT NULL, txid BLOB NOT NULL,
        value BLOB NOT NULL, author BLOB, kind INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (key, number)) WITHOUT ROWID;
    CREATE TABLE versions_by_chain (key INTEGER NOT NULL, number INTEGER NOT NULL, height INTEGER NOT NULL,
        txid BLOB NOT NULL, value BLOB NOT NULL, author BLOB, kind INTEGER NOT NULL DEFAULT 0);
    CREATE UNIQUE INDEX versions_by_chain_key ON versions_by_chain (key, number);
    CREATE TABLE txids (txid BLOB PRIMARY KEY, height INTEGER NOT NULL) WITHOUT ROWID;
""")
if layout == "key-local":
    db.execute("CREATE INDEX versions_txid ON versions (key, txid)")
keep_latest = f"""INSERT INTO {versions_table} (key, number, height, txid, value, author, kind)
    SELECT id, versions - 1, height, txid, value, author, kind FROM keys WHERE key = ?1"""
add_version = """INSERT INTO keys (key, id, versions, owner, height, txid, value, author) VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, NULL)
    ON CONFLICT (key) DO UPDATE SET versions = versions + 1, height = excluded.height, txid = excluded.txid,
    value = excluded.value, author = NULLIF(excluded.owner, owner), kind = 0 RETURNING id, versions, owner"""

owner = os.urandom(32)
values = random.Random(1)
next_id, height = 1, 0
for round_number in range(1, rounds + 1):
    started = time.time()
    for first in range(0, keys, per_commit):
        height += 1
        db.execute("BEGIN")
        for index in range(first, min(first + per_commit, keys)):
            key = f"load/{index:027d}".encode()
            txid = hashlib.sha256(key + round_number.to_bytes(4, "little") + os.urandom(8)).digest()
            db.execute(keep_latest, (key,))
            if db.execute(add_version, (key, next_id, owner, height, txid, values.randbytes(100))).fetchone()[1] == 1:
                next_id += 1
            if layout in ("current",):
                db.execute("INSERT INTO txids VALUES (?, ?)", (txid, height))
            elif layout == "short-txids":
                db.execute("INSERT INTO txids VALUES (?, ?)", (txid[:16], height))
        db.execute("INSERT INTO chain VALUES (?, ?)", (height, os.urandom(32)))
        db.execute("COMMIT")
    seconds = time.time() - started
    size = sum(os.path.getsize(path + suffix) for suffix in ("", "-wal") if os.path.exists(path + suffix))
    print(f"{layout} round {round_number}: {keys / seconds:,.0f} puts/s, database {size / 1e6:,.0f} MB", flush=True)
db.close()
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(path + suffix):
        os.remove(path + suffix)
os.rmdir(directory)
