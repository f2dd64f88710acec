"""A store with history, evidence and a countersigned checkpoint, for audit tests."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from uuid import UUID

from governance.actor import Actor
from governance.application import Governance
from notifications.checkpoints import (
    PlatformKey,
    checkpoint_file_bytes,
    load_or_create_key,
    seal_checkpoint,
)
from projections.audit_chain import checkpoint, countersignatures
from tests.support.builders import (
    COORDINATOR_ID,
    T0,
    a_lived_consortium,
    scheduled_report,
)
from tests.support.fakes import FixedClock
from tests.support.insider import Insider
from web.ops.audit_findings import Report
from web.ops.audit_verify import verify_store
from web.ops.demo.pdf import demo_pdf
from web.ops.storage import Stores, open_stores
from web.settings import Settings


@dataclass
class Audited:
    """A store with a lived consortium, a report with a file, and a checkpoint."""

    settings: Settings
    stores: Stores
    key: PlatformKey
    governance: Governance
    checkpoint_position: int
    checkpoint_file: Path
    evidence_sha256: str
    evidence_position: int
    insider: Insider

    def verify(self, *files: Path) -> Report:
        return verify_store(self.settings, files)

    def rebuild_chain(self) -> None:
        """Recompute the chain read model from the (tampered) store."""
        self.stores.read_side.rebuild(["audit_chain"])


def an_audited_store(settings: Settings, tmp_path: Path) -> Audited:
    """Open the stores and write the history; the caller closes ``stores``."""
    clock = FixedClock(T0)
    stores = open_stores(settings, clock=clock)
    governance = stores.governance
    coordinator = Actor(COORDINATOR_ID)
    lived = a_lived_consortium(governance, coordinator, clock)
    obligation = scheduled_report(governance, coordinator, lived.consortium_id)
    evidence = stores.evidence.save(BytesIO(demo_pdf("activité")), "rapport.pdf")
    evidence_position = governance.draft_report(
        coordinator, obligation, "Premier rapport", (evidence,)
    )
    key = load_or_create_key(settings.audit_key_path)
    sealed = seal_checkpoint(governance, stores.read_side, key)
    assert sealed is not None
    governance.countersign_checkpoint(
        Actor("acc-funder"), lived.consortium_id, UUID(sealed.id)
    )
    # Events after the checkpoint: the chain covers them, the checkpoint does not.
    governance.change_partner_axis(coordinator, lived.consortium_id, lived.lab_id, "A")
    governance.change_partner_axis(coordinator, lived.consortium_id, lived.lab_id, "B")
    stores.read_side.catch_up()
    with stores.read_side.engine.connect() as connection:
        row = checkpoint(connection, sealed.id)
        assert row is not None
        signers = countersignatures(
            connection, sealed.id, consortium_id=str(lived.consortium_id)
        )
    kept = tmp_path / "checkpoint.json"
    kept.write_bytes(checkpoint_file_bytes(row, signers))
    return Audited(
        settings,
        stores,
        key,
        governance,
        row.position,
        kept,
        evidence.sha256,
        evidence_position,
        Insider(settings),
    )
