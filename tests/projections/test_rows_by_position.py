"""Rows read by position read back whole, each column in its field, on every store.

A commitment (the ledger page reads 50 a request), a history entry (50 a page of
the trail, every one in an export) and a proposal (a page of the decision log) are
taken from their rows by position, so the table's columns and the row's fields
must stay in the same order, and every reader (one, a page, all of them, the
exports' parts) must select them all.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from sqlalchemy import Table

from governance.actor import Actor
from governance.application import Governance
from governance.values import ContributionKind, Funding, Unit
from governance.voting import Outcome
from projections.decisions.queries import (
    LogFilter,
    decision_log,
    open_proposals,
    proposal,
)
from projections.decisions.rows import ProposalRow
from projections.decisions.tables import proposals
from projections.history.queries import (
    HistoryEntry,
    history_after,
    history_in_order,
    history_of,
)
from projections.history.tables import history
from projections.ledger import (
    CommitmentRow,
    commitment,
    commitments,
    commitments_of,
    commitments_page,
)
from projections.ledger_parts import ledger_in_parts
from projections.runtime import ReadSide
from tests.application.test_decisions import a_copil
from tests.support.builders import (
    PLEDGE_STARTS_ON,
    a_motion,
    a_pledge,
    admitted_partner,
    an_evidence,
    founded_consortium,
)


@pytest.mark.parametrize(
    ("row", "table"), [(CommitmentRow, commitments), (HistoryEntry, history)]
)
def test_the_row_fields_are_the_table_columns_in_order(row: type, table: Table) -> None:
    assert [f.name for f in fields(row)] == [column.name for column in table.columns]


def test_every_reader_gives_each_column_in_its_field(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    cid = founded_consortium(app, coordinator)
    lab = admitted_partner(app, coordinator, cid)
    pledged = app.pledge(
        coordinator,
        cid,
        lab,
        a_pledge(
            kind=ContributionKind.HUMAN,
            amount=Decimal("12.5"),
            daily_rate=Decimal("450.30"),
            ends_on=date(2026, 9, 30),
            covers="Ateliers de co-conception",
            funding=Funding.REQUESTED,
            licence="CC-BY-4.0",
            valuation_method="Barème du laboratoire",
        ),
    )
    app.deliver(
        coordinator,
        UUID(pledged.id),
        delivered_on=date(2026, 4, 1),
        amount=Decimal("3.5"),
        description="Deux ateliers",
        evidence=None,
    )
    app.withdraw_commitment(
        coordinator, UUID(pledged.id), on=date(2026, 6, 1), reason="Projet recentré"
    )
    read_side.catch_up()

    with read_side.engine.connect() as connection:
        one = commitment(connection, str(cid), pledged.id)
        found = [
            one,
            *commitments_page(connection, str(cid), limit=50, offset=0),
            *commitments_of(connection, str(cid)),
        ]
    found += [
        row
        for part in ledger_in_parts(read_side.engine.connect, str(cid))
        for row in part.commitments
    ]

    assert one is not None
    assert one.commitment_id == pledged.id
    assert one.consortium_id == str(cid)
    assert one.partner_id == lab
    assert one.kind is ContributionKind.HUMAN
    assert one.unit is Unit.PERSON_DAY
    assert one.amount == Decimal("12.5")
    assert one.daily_rate == Decimal("450.30")
    assert (one.starts_on, one.ends_on) == (PLEDGE_STARTS_ON, date(2026, 9, 30))
    assert one.covers == "Ateliers de co-conception"
    assert one.funding is Funding.REQUESTED
    assert (one.licence, one.valuation_method) == ("CC-BY-4.0", "Barème du laboratoire")
    assert (one.withdrawn_on, one.withdrawal_reason) == (
        date(2026, 6, 1),
        "Projet recentré",
    )
    assert (one.delivered, one.delivery_count) == (Decimal("3.5"), 1)
    assert one.pledged_at.utcoffset() is not None
    assert found == [one] * 4


def test_every_history_reader_gives_each_column_in_its_field(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    cid = founded_consortium(app, coordinator)
    lab = admitted_partner(app, coordinator, cid)
    pledged = app.pledge(coordinator, cid, lab, a_pledge(amount=Decimal("2500")))
    read_side.catch_up()

    with read_side.engine.connect() as connection:
        page = history_of(connection, str(cid)).entries
        after = history_after(connection, str(cid))
    in_order = list(history_in_order(read_side.engine, str(cid)))

    pledge = page[0]
    assert pledge.position > page[1].position
    assert pledge.consortium_id == str(cid)
    assert pledge.recorded_at.utcoffset() is not None
    assert pledge.actor_id == coordinator.account_id
    assert (pledge.kind, pledge.subject_id) == ("commitment_pledged", lab)
    assert pledge.params["amount"] == "2500"
    assert pledge.area == "commitments"
    assert (pledge.about_kind, pledge.about_id) == ("commitment", pledged.id)
    assert list(reversed(page)) == after == in_order


def test_a_proposal_row_has_the_table_columns_in_order() -> None:
    names = [f.name for f in fields(ProposalRow)]
    # The document's hash is a column of its own, to find the proposal by it.
    assert [column.name for column in proposals.columns] == [
        *names[: names.index("document") + 1],
        "document_sha",
        *names[names.index("document") + 1 :],
    ]


def test_every_proposal_reader_gives_each_column_in_its_field(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    cid = founded_consortium(app, coordinator)
    copil = a_copil(app, coordinator, cid)
    minutes = an_evidence()
    recorded = app.record_decision(
        coordinator,
        cid,
        copil.body_id,
        title="Adopter le règlement intérieur",
        text="Adopté à l’unanimité des présents.",
        outcome=Outcome.ADOPTED,
        decided_on=date(2026, 3, 12),
        present=(copil.lead_id, copil.lab_id),
        minutes=minutes,
    )
    motion = a_motion()
    tabled = app.table_proposal(copil.lead, cid, copil.body_id, motion)
    read_side.catch_up()

    with read_side.engine.connect() as connection:
        one = proposal(connection, str(cid), recorded.id)
        logged, total = decision_log(connection, str(cid), LogFilter())
        still_open = open_proposals(connection, str(cid))

    assert one is not None
    assert (one.proposal_id, one.consortium_id, one.body_id) == (
        recorded.id,
        str(cid),
        copil.body_id,
    )
    assert (one.title, one.text) == (
        "Adopter le règlement intérieur",
        "Adopté à l’unanimité des présents.",
    )
    assert one.document == minutes
    assert one.outcome is Outcome.ADOPTED
    assert one.decided_on == date(2026, 3, 12)
    assert one.present == (copil.lead_id, copil.lab_id)
    assert one.rule.majority is not None
    assert one.tabled_by == coordinator.account_id
    assert one.tabled_at.utcoffset() is not None
    assert (one.veto_until, one.vetoed_by, one.veto_reason) == (None, None, "")
    assert (logged, total) == ([one], 1)
    [vote] = still_open
    assert (vote.proposal_id, vote.kind, vote.mode) == (tabled.id, "vote", motion.mode)
    assert vote.options == tuple(motion.options)
    assert vote.closes_at == motion.closes_at
    assert set(vote.members) == {copil.lead_id, copil.lab_id, copil.asso_id}
    assert (vote.outcome, vote.closed_at, vote.document) == (None, None, None)
    assert vote.tabled_by == copil.lead.account_id
