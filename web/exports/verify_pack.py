#!/usr/bin/env python3
"""Verify a Consortium Ledger audit pack offline.

Usage:  python verify_pack.py [PACK_DIRECTORY] [--checkpoint KEPT_CHECKPOINT.json]

Needs only Python 3.9+ and the ``cryptography`` package (pip install cryptography).
It checks, without contacting anything:

1. the checkpoint's Ed25519 signature, by the platform's public key it names (and,
   with --checkpoint, that it is the very checkpoint you kept and countersigned);
2. for each event in events.jsonl: that its record hash is the SHA-256 of the stored
   record it carries, and that the record is in the checkpoint's Merkle tree
   (RFC 6962) at its position, by its inclusion proof.

Any altered, added or moved event fails its proof. Exit code 0 when everything
verifies, 1 otherwise. This file is self-contained on purpose: read it.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RECORD_DOMAIN = b"consortium-ledger:record:v1\x00"


def _field(data: bytes) -> bytes:
    return len(data).to_bytes(8, "big") + data


def record_hash(originator_id: str, version: int, topic: str, state: bytes) -> bytes:
    """SHA-256 of a stored record's canonical encoding."""
    return hashlib.sha256(
        RECORD_DOMAIN
        + _field(originator_id.encode())
        + _field(str(version).encode())
        + _field(topic.encode())
        + _field(state)
    ).digest()


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def signed_message(checkpoint: dict[str, Any]) -> bytes:
    return (
        "consortium-ledger checkpoint v1\n"
        f"position {checkpoint['position']}\n"
        f"tree_size {checkpoint['tree_size']}\n"
        f"root {checkpoint['root']}\n"
        f"chain_head {checkpoint['chain_head']}\n"
    ).encode()


def signature_is_valid(checkpoint: dict[str, Any]) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(checkpoint["public_key"]))
    try:
        key.verify(bytes.fromhex(checkpoint["signature"]), signed_message(checkpoint))
    except (InvalidSignature, ValueError):
        return False
    return True


def in_tree(
    position: int, hashed: bytes, proof: Sequence[Sequence[str]], root: bytes
) -> bool:
    """Whether the record hash is at ``position`` in the tree of ``root``, by its
    proof: ``[side, sibling hash in hex]`` pairs from the leaf up."""
    current = leaf_hash(position.to_bytes(8, "big") + hashed)
    for side, sibling in proof:
        sibling_hash = bytes.fromhex(sibling)
        if side == "left":
            current = node_hash(sibling_hash, current)
        else:
            current = node_hash(current, sibling_hash)
    return current == root


def verify(directory: Path, kept: Path | None) -> list[str]:
    """Every problem found (an empty list: the pack verifies)."""
    problems: list[str] = []
    checkpoint = json.loads((directory / "checkpoint.json").read_text("utf-8"))
    if not signature_is_valid(checkpoint):
        problems.append("the checkpoint's signature does not verify")
    if kept is not None:
        mine = json.loads(kept.read_text("utf-8"))
        for key in ("position", "tree_size", "root", "chain_head", "public_key"):
            if mine.get(key) != checkpoint.get(key):
                problems.append(f"the checkpoint differs from the one you kept: {key}")
    root = bytes.fromhex(checkpoint["root"])
    checked = 0
    with (directory / "events.jsonl").open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            event = json.loads(line)
            position = event["position"]
            if event.get("proof") is None:
                continue  # recorded after the checkpoint: not covered yet
            state = base64.b64decode(event["record"]["state"])
            hashed = record_hash(
                event["record"]["originator_id"],
                event["record"]["originator_version"],
                event["record"]["topic"],
                state,
            )
            if hashed.hex() != event["record_hash"]:
                problems.append(f"line {number}: position {position} was altered")
            elif not in_tree(position, hashed, event["proof"], root):
                problems.append(
                    f"line {number}: position {position} is not in the checkpoint"
                )
            checked += 1
    print(
        f"{checked} events checked against checkpoint at position "
        f"{checkpoint['position']} (key {checkpoint['key_id']})"
    )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("pack", nargs="?", default=".", type=Path)
    parser.add_argument("--checkpoint", type=Path, default=None)
    args = parser.parse_args(argv)
    problems = verify(args.pack, args.checkpoint)
    for problem in problems:
        print("FAILED:", problem)
    print("OK: the pack verifies." if not problems else "The pack does NOT verify.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
