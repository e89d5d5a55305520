#!/usr/bin/env python3
"""Writes expected.json: the answer of KeyChain's signature rule (docs/PROTOCOL.md §2) on every
case of the four suites in this folder, taken from libsodium 1.0.18's
crypto_sign_verify_detached (the same rule), loaded by its soname. Run it only to add a suite;
the answers are pinned, and the tests hold both the project's verifier and libsodium to them.
"""
import ctypes
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sodium = ctypes.CDLL("libsodium.so.23")
sodium.sodium_version_string.restype = ctypes.c_char_p
version = sodium.sodium_version_string().decode()
if version != "1.0.18":
    sys.exit(f"libsodium {version} is loaded; the rule is pinned against 1.0.18")
sodium.sodium_init()


def verify(key_hex, signature_hex, message):
    key, signature = bytes.fromhex(key_hex), bytes.fromhex(signature_hex)
    if len(key) != 32 or len(signature) != 64:
        return False  # a transaction's author and signature have these lengths or do not decode
    return sodium.crypto_sign_verify_detached(signature, message, ctypes.c_ulonglong(len(message)), key) == 0


def load(name):
    with open(os.path.join(here, name)) as file:
        return json.load(file)


rfc = [verify(c["public_key"], c["signature"], bytes.fromhex(c["message"])) for c in load("rfc8032.json")["cases"]]
speccheck = [verify(c["pub_key"], c["signature"], bytes.fromhex(c["message"])) for c in load("speccheck-cases.json")]
cctv = [c["number"] for c in load("cctv-ed25519vectors.json") if verify(c["key"], c["sig"], c["msg"].encode())]
wycheproof = [
    test["tcId"]
    for group in load("wycheproof-ed25519_test.json")["testGroups"]
    for test in group["tests"]
    if verify(group["publicKey"]["pk"], test["sig"], bytes.fromhex(test["msg"]))
]
expected = {
    "rule": "docs/PROTOCOL.md §2; answers from libsodium 1.0.18 crypto_sign_verify_detached",
    "rfc8032": rfc,
    "speccheck": speccheck,
    "cctvAccepted": cctv,
    "wycheproofAccepted": wycheproof,
}
with open(os.path.join(here, "expected.json"), "w") as file:
    json.dump(expected, file, indent=1)
    file.write("\n")
print(f"rfc8032 {rfc}\nspeccheck {speccheck}\ncctv accepted {len(cctv)} of 914\nwycheproof accepted {len(wycheproof)}")
