"""The history of capitalisation entries and of the readiness declarations.

Both belong to the "capitalisation" area of the trail (``AREAS``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from governance import events
from projections.base import Envelope, LoggedEvent, on
from projections.buffer import add_row, batch_cache, update_rows
from projections.history.rows import HistoryRows, Owner, entry_owner
from projections.history.tables import capitalisation_owners


class CapitalisationHistory(HistoryRows):
    """Entries recorded, amended, withdrawn; personal data and beneficiaries."""

    @on(*events.CAPITALISATION_RECORDED)
    def capitalisation_recorded(
        self, connection: Connection, envelope: Envelope[events.CapitalisationRecorded]
    ) -> None:
        e = envelope.event
        row = {
            "entry_id": envelope.originator_id,
            "consortium_id": e.consortium_id,
            "kind": e.entry.kind.value,
            "title": e.entry.title,
        }
        add_row(connection, capitalisation_owners, row)
        batch_cache(connection, "history.entries")[envelope.originator_id] = Owner(
            **row
        )
        self._add(
            connection,
            envelope,
            "capitalisation_recorded",
            envelope.originator_id,
            consortium_id=e.consortium_id,
            entry_kind=e.entry.kind,
            title=e.entry.title,
        )

    def _add_about_entry(
        self,
        connection: Connection,
        envelope: Envelope[LoggedEvent],
        what: str,
        /,
        **params: Any,
    ) -> None:
        owner = entry_owner(connection, envelope.originator_id)
        self._add(
            connection,
            envelope,
            what,
            envelope.originator_id,
            consortium_id=owner.consortium_id,
            entry_kind=owner.kind,
            title=params.pop("title", owner.title),
            **params,
        )

    @on(events.CapitalisationEntryAmended)
    def capitalisation_amended(
        self,
        connection: Connection,
        envelope: Envelope[events.CapitalisationEntryAmended],
    ) -> None:
        e = envelope.event
        update_rows(
            connection,
            capitalisation_owners,
            {"entry_id": envelope.originator_id},
            {"title": e.entry.title},
        )
        # The cached owner (if any) would still hold the old title.
        batch_cache(connection, "history.entries").pop(envelope.originator_id, None)
        self._add_about_entry(
            connection,
            envelope,
            "capitalisation_amended",
            title=e.entry.title,
            reason=e.reason,
        )

    @on(events.CapitalisationEntryWithdrawn)
    def capitalisation_withdrawn(
        self,
        connection: Connection,
        envelope: Envelope[events.CapitalisationEntryWithdrawn],
    ) -> None:
        self._add_about_entry(
            connection,
            envelope,
            "capitalisation_withdrawn",
            reason=envelope.event.reason,
        )

    @on(events.PersonalDataDeclared)
    def personal_data_declared(
        self, connection: Connection, envelope: Envelope[events.PersonalDataDeclared]
    ) -> None:
        e = envelope.event
        partner_id = e.data_protection_partner_id
        if not e.handles_personal_data:
            what = "personal_data_not_handled"
        elif partner_id is None:
            what = "personal_data_no_partner"
        else:
            what = "personal_data_handled"
        self._add(
            connection,
            envelope,
            what,
            partner_id,
            partner=self._label(connection, envelope, partner_id) if partner_id else "",
        )

    @on(events.BeneficiaryInvolvementDescribed)
    def beneficiaries_described(
        self,
        connection: Connection,
        envelope: Envelope[events.BeneficiaryInvolvementDescribed],
    ) -> None:
        description = envelope.event.description
        self._add(
            connection,
            envelope,
            "beneficiaries_described" if description else "beneficiaries_cleared",
            description=description,
        )
