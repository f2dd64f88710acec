"""The Checkpoint aggregate: the platform's signed summary of the log, countersigned.

A checkpoint says "the log up to this position has this Merkle root and this chain
head", signed with the platform's Ed25519 key. Financers countersign it (an event with
their name on it) and keep a copy: a later rewrite of any event up to that position,
even one that recomputes every hash after it, no longer matches what they hold.

The domain does no cryptography: hashes, signature and key arrive as lowercase hex
strings and are only checked for shape here; signing and verifying live outside
the domain (``notifications.checkpoints``).
"""

from __future__ import annotations

import re

from eventsourcing.domain import Aggregate, event

from governance.actor import GovernanceCreated, GovernanceEvent
from governance.errors import RuleViolated

_HEX32 = re.compile(r"[0-9a-f]{64}")
_HEX64 = re.compile(r"[0-9a-f]{128}")
_KEY_ID = re.compile(r"[0-9a-f]{16}")


class Checkpoint(Aggregate):
    """One signed summary of the log up to a position."""

    class Sealed(GovernanceCreated):
        position: int
        tree_size: int
        root: str
        chain_head: str
        signature: str
        key_id: str
        public_key: str

    class Countersigned(GovernanceEvent):
        consortium_id: str
        financer_id: str

    @event(Sealed)
    def __init__(
        self,
        position: int,
        tree_size: int,
        root: str,
        chain_head: str,
        signature: str,
        key_id: str,
        public_key: str,
    ) -> None:
        self.position = position
        self.tree_size = tree_size
        self.root = root
        self.chain_head = chain_head
        self.signature = signature
        self.key_id = key_id
        self.public_key = public_key
        # "consortium_id/financer_id" of each countersignature (JSON-safe).
        self.countersigned_by: list[str] = []

    @classmethod
    def seal(
        cls,
        *,
        position: int,
        tree_size: int,
        root: str,
        chain_head: str,
        signature: str,
        key_id: str,
        public_key: str,
    ) -> Checkpoint:
        """Record a signed checkpoint; hashes and keys must be lowercase hex."""
        if position < 1 or tree_size < 1 or tree_size > position:
            raise RuleViolated("checkpoint.bad_position")
        for value, shape in (
            (root, _HEX32),
            (chain_head, _HEX32),
            (public_key, _HEX32),
            (signature, _HEX64),
            (key_id, _KEY_ID),
        ):
            if not shape.fullmatch(value):
                raise RuleViolated("checkpoint.bad_hex")
        return cls(
            position=position,
            tree_size=tree_size,
            root=root,
            chain_head=chain_head,
            signature=signature,
            key_id=key_id,
            public_key=public_key,
        )

    def countersign(self, consortium_id: str, financer_id: str) -> None:
        """A financer of ``consortium_id`` countersigns (once per consortium)."""
        if f"{consortium_id}/{financer_id}" in self.countersigned_by:
            raise RuleViolated("checkpoint.already_countersigned")
        self._countersign(consortium_id=consortium_id, financer_id=financer_id)

    @event(Countersigned)
    def _countersign(self, consortium_id: str, financer_id: str) -> None:
        self.countersigned_by.append(f"{consortium_id}/{financer_id}")
