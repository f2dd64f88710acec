"""Signed checkpoints of the log: the platform key, sealing, the financer's file.

The platform signs each checkpoint with an Ed25519 key kept outside the event store
(``audit_signing_key.pem`` in the data directory, mode 0600, created on first use;
on PostgreSQL the same file or the one ``CONSORTIUM_AUDIT_KEY_FILE`` names). What is
signed is ``checkpoint_message``: the position, the number of records up to it, the
RFC 6962 Merkle root of their leaves and the chain head, as plain text, so anyone can
rebuild it offline with the standard library and ``cryptography``.

``seal_checkpoint`` is idempotent: it seals only when the log has grown since the
last checkpoint (by anything but checkpoint events), so a periodic tick may call it
as often as it likes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from governance.application import Created, Governance
from projections.audit_chain import CheckpointRow, checkpoints, grown_since, summarise
from projections.runtime import ReadSide

logger = logging.getLogger(__name__)

KEY_FILENAME = "audit_signing_key.pem"
FILE_FORMAT = "consortium-ledger-checkpoint/1"
# The scheduler seals a checkpoint once a day (when the log grew).
CHECKPOINT_EVERY = timedelta(hours=24)


def checkpoint_message(
    position: int, tree_size: int, root: str, chain_head: str
) -> bytes:
    """The exact bytes the platform signs for a checkpoint."""
    return (
        "consortium-ledger checkpoint v1\n"
        f"position {position}\n"
        f"tree_size {tree_size}\n"
        f"root {root}\n"
        f"chain_head {chain_head}\n"
    ).encode()


def key_id_of(public_key: bytes) -> str:
    """A short name of a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public_key).hexdigest()[:16]


@dataclass(frozen=True)
class PlatformKey:
    """The platform's Ed25519 signing key."""

    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte public key."""
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_key)

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message``."""
        return self.private_key.sign(message)


def load_or_create_key(path: Path) -> PlatformKey:
    """The key in ``path``; created there (mode 0600) if there is none yet."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            # O_EXCL: two processes starting at once must not each write a key.
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "wb") as file:
                file.write(pem)
                file.flush()
                os.fsync(file.fileno())
            logger.info("audit.key_created path=%s", path)
    return load_key(path)


def load_key(path: Path) -> PlatformKey:
    """The key in ``path``; raises ``ValueError`` if it is not an Ed25519 key."""
    private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(private_key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return PlatformKey(private_key)


def signature_is_valid(public_key: str, message: bytes, signature: str) -> bool:
    """Whether ``signature`` (hex) is ``public_key``'s (hex) Ed25519 signature."""
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key))
        key.verify(bytes.fromhex(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def seal_checkpoint(
    governance: Governance, read_side: ReadSide, key: PlatformKey
) -> Created | None:
    """Seal a checkpoint of the chain if the log has grown since the last one.

    Returns what was recorded, or None when there was nothing new to seal.
    """
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        existing = checkpoints(connection)
        if existing and not grown_since(connection, existing[0].position):
            return None
        summary = summarise(connection)
    if summary is None:
        return None
    message = checkpoint_message(
        summary.position, summary.tree_size, summary.root, summary.chain_head
    )
    created = governance.seal_checkpoint(
        position=summary.position,
        tree_size=summary.tree_size,
        root=summary.root,
        chain_head=summary.chain_head,
        signature=key.sign(message).hex(),
        key_id=key.key_id,
        public_key=key.public_key.hex(),
    )
    read_side.wait_for(created.position)
    logger.info(
        "audit.checkpoint_sealed position=%s size=%s root=%s",
        summary.position,
        summary.tree_size,
        summary.root,
    )
    return created


def seal_due_checkpoint(
    governance: Governance,
    read_side: ReadSide,
    key: PlatformKey,
    now: datetime,
    every: timedelta = CHECKPOINT_EVERY,
) -> Created | None:
    """The scheduler's job: seal a checkpoint once per ``every`` if the log grew."""
    with read_side.engine.connect() as connection:
        existing = checkpoints(connection)
    if existing and now - existing[0].sealed_at < every:
        return None
    return seal_checkpoint(governance, read_side, key)


def checkpoint_file(row: CheckpointRow, countersigned_by: list[str]) -> dict[str, Any]:
    """The checkpoint as a financer downloads and keeps it (JSON-ready).

    ``countersigned_by`` lists the countersignatures of the consortium it is
    downloaded from only: the checkpoint is the platform's, who vouched for it is
    each consortium's own business.
    """
    return {
        "format": FILE_FORMAT,
        "checkpoint_id": row.checkpoint_id,
        "position": row.position,
        "tree_size": row.tree_size,
        "root": row.root,
        "chain_head": row.chain_head,
        "signature": row.signature,
        "key_id": row.key_id,
        "public_key": row.public_key,
        "sealed_at": row.sealed_at.isoformat(),
        "countersigned_by": countersigned_by,
        "signed_message": checkpoint_message(
            row.position, row.tree_size, row.root, row.chain_head
        ).decode(),
    }


def checkpoint_file_bytes(row: CheckpointRow, countersigned_by: list[str]) -> bytes:
    """The downloadable file's bytes (indented JSON, stable key order)."""
    return (
        json.dumps(checkpoint_file(row, countersigned_by), indent=2, sort_keys=True)
        + "\n"
    ).encode()
