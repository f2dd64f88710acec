"""Commands on the audit trail: the platform seals, financers countersign."""

from __future__ import annotations

from uuid import UUID

from governance.actor import PLATFORM, Actor
from governance.application.base import Created, ServiceBase
from governance.application.retrying import command
from governance.checkpoint import Checkpoint
from governance.permissions import Action


class AuditCommands(ServiceBase):
    """Checkpoints of the log."""

    @command
    def seal_checkpoint(
        self,
        *,
        position: int,
        tree_size: int,
        root: str,
        chain_head: str,
        signature: str,
        key_id: str,
        public_key: str,
    ) -> Created:
        """The platform records a checkpoint it has signed (no person acts here)."""
        with self._acting(Actor(PLATFORM)):
            checkpoint = Checkpoint.seal(
                position=position,
                tree_size=tree_size,
                root=root,
                chain_head=chain_head,
                signature=signature,
                key_id=key_id,
                public_key=public_key,
            )
            return Created(str(checkpoint.id), self._save(checkpoint))

    @command
    def countersign_checkpoint(
        self, actor: Actor, consortium_id: UUID, checkpoint_id: UUID
    ) -> int:
        """A financer of the consortium vouches for a checkpoint they have kept."""
        with self._acting(actor):
            self._authorised(actor, consortium_id, Action.COUNTERSIGN)
            checkpoint = self._load(checkpoint_id, Checkpoint, "checkpoint")
            checkpoint.countersign(str(consortium_id), actor.account_id)
            return self._save(checkpoint)
