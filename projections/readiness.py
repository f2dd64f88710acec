"""The readiness read model: a consortium's answers, and the facts the check reads.

The answers (personal data, who is competent in data protection, how end
beneficiaries take part) have a table of their own. ``readiness_facts`` gathers from
every read model what ``governance.readiness.assess`` needs, so the check is always
as up to date as the read models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import Boolean, Column, Connection, String, Table, Text, select

from governance import events
from governance.readiness import ReadinessFacts, ReadinessPartner
from governance.values import Phase
from projections.base import Envelope, Projection, metadata, on
from projections.buffer import add_row, update_rows
from projections.capitalisation import capitalisation_counts
from projections.committed_sums import co_financed, committed_sums_of
from projections.consortia import consortium_details
from projections.decisions import bodies_of
from projections.documents import documented_partners, documents_of
from projections.indicators import indicator_count
from projections.ledger_summary import facts_of
from projections.ledger_totals import totals_of
from projections.partners import partners_of
from projections.reporting import obligations_of

settings = Table(
    "readiness_settings",
    metadata,
    Column("consortium_id", String(36), primary_key=True),
    Column("handles_personal_data", Boolean),
    Column("data_protection_partner_id", String(36)),
    Column("beneficiary_involvement", Text, nullable=False),
)


@dataclass(frozen=True)
class ReadinessSettings:
    """What the coordinators answered (None: not answered yet)."""

    handles_personal_data: bool | None = None
    data_protection_partner_id: str | None = None
    beneficiary_involvement: str = ""


class ReadinessProjection(Projection):
    """The consortium's readiness answers."""

    name: ClassVar[str] = "readiness"
    tables: ClassVar[tuple[Table, ...]] = (settings,)

    def _set(
        self, connection: Connection, consortium_id: str, **values: object
    ) -> None:
        changed = update_rows(
            connection, settings, {"consortium_id": consortium_id}, values
        )
        if not changed:
            add_row(
                connection,
                settings,
                {
                    "consortium_id": consortium_id,
                    "beneficiary_involvement": "",
                    **values,
                },
            )

    @on(events.PersonalDataDeclared)
    def declared(
        self, connection: Connection, envelope: Envelope[events.PersonalDataDeclared]
    ) -> None:
        e = envelope.event
        self._set(
            connection,
            envelope.originator_id,
            handles_personal_data=e.handles_personal_data,
            data_protection_partner_id=e.data_protection_partner_id,
        )

    @on(events.BeneficiaryInvolvementDescribed)
    def described(
        self,
        connection: Connection,
        envelope: Envelope[events.BeneficiaryInvolvementDescribed],
    ) -> None:
        self._set(
            connection,
            envelope.originator_id,
            beneficiary_involvement=envelope.event.description,
        )


def readiness_settings(connection: Connection, consortium_id: str) -> ReadinessSettings:
    """The consortium's answers, unanswered where nothing was recorded."""
    row = connection.execute(
        select(settings).where(settings.c.consortium_id == consortium_id)
    ).first()
    if row is None:
        return ReadinessSettings()
    return ReadinessSettings(
        row.handles_personal_data,
        row.data_protection_partner_id,
        row.beneficiary_involvement,
    )


def readiness_facts(connection: Connection, consortium_id: str) -> ReadinessFacts:
    """Everything the readiness check reads, from the read models."""
    details = consortium_details(connection, consortium_id)
    partners = partners_of(connection, consortium_id)
    answers = readiness_settings(connection, consortium_id)
    lines = totals_of(connection, consortium_id)
    funded = co_financed(committed_sums_of(connection, consortium_id))
    facts = {f.partner_id: f for f in facts_of(partners, lines, funded)}
    documented = documented_partners(documents_of(connection, consortium_id))
    return ReadinessFacts(
        phase=details.phase if details is not None else Phase.SETUP,
        partners=tuple(
            ReadinessPartner(
                facts[p.partner_id], p.kind, p.paper, p.partner_id in documented
            )
            for p in partners
        ),
        bodies=len(bodies_of(connection, consortium_id)),
        indicators=indicator_count(connection, consortium_id),
        obligations=len(obligations_of(connection, consortium_id)),
        capitalisation_entries=sum(
            capitalisation_counts(connection, consortium_id).values()
        ),
        handles_personal_data=answers.handles_personal_data,
        data_protection_partner_id=answers.data_protection_partner_id,
        beneficiary_involvement=answers.beneficiary_involvement,
    )
