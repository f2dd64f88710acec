"""Commands on the capitalisation register and the readiness settings.

Members, the pilot team and coordinators keep the register (record, amend,
withdraw); financers read it. Coordinators answer the readiness questions funders
ask about the project itself (personal data, end beneficiaries).
"""

from __future__ import annotations

from uuid import UUID

from governance.actor import Actor
from governance.application.base import Created, ServiceBase
from governance.application.retrying import command
from governance.capitalisation import CapitalisationRecord
from governance.permissions import Action
from governance.values import CapitalisationEntry


class CapitalisationCommands(ServiceBase):
    """The capitalisation register, and the consortium's readiness settings."""

    @command
    def record_capitalisation(
        self, actor: Actor, consortium_id: UUID, entry: CapitalisationEntry
    ) -> Created:
        """Record a lesson, an asset, a replication or a dissemination event."""
        with self._acting(actor):
            self._authorised(actor, consortium_id, Action.CAPITALISE)
            record = CapitalisationRecord.record(str(consortium_id), entry)
            return Created(str(record.id), self._save(record))

    @command
    def amend_capitalisation(
        self, actor: Actor, entry_id: UUID, entry: CapitalisationEntry, reason: str
    ) -> int:
        """Change what an entry says, with the reason (its history is kept)."""
        with self._acting(actor):
            record = self._capitalisation(actor, entry_id)
            record.amend(entry, reason)
            return self._save(record)

    @command
    def withdraw_capitalisation(self, actor: Actor, entry_id: UUID, reason: str) -> int:
        """Withdraw an entry from the register, with the reason; it is kept."""
        with self._acting(actor):
            record = self._capitalisation(actor, entry_id)
            record.withdraw(reason)
            return self._save(record)

    @command
    def declare_personal_data(
        self,
        actor: Actor,
        consortium_id: UUID,
        handles_personal_data: bool,
        data_protection_partner_id: str | None,
    ) -> int:
        """Say whether the project handles personal data, and which partner is
        competent in data protection (coordinators)."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.CHANGE_PROFILE)
            consortium.declare_personal_data(
                handles_personal_data, data_protection_partner_id
            )
            return self._save(consortium)

    @command
    def describe_beneficiary_involvement(
        self, actor: Actor, consortium_id: UUID, description: str
    ) -> int:
        """Say how the end beneficiaries take part in the project (coordinators)."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.CHANGE_PROFILE)
            consortium.describe_beneficiary_involvement(description)
            return self._save(consortium)

    def _capitalisation(self, actor: Actor, entry_id: UUID) -> CapitalisationRecord:
        record = self._load(entry_id, CapitalisationRecord, "capitalisation")
        self._authorised(actor, UUID(record.consortium_id), Action.CAPITALISE)
        return record
