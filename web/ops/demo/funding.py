"""The demo's funding: the bank's grant of 350,000 € at 70 % in four tranches, the
advance paid the day after signature, and the first interim payment released by the
accepted activity report of the first period and its accepted statements.

Told after the amendment (the financer records the grant and both payments on the
story's last day but one, as a programme officer catching up with the accounts
would: the advance's payment date is the day after signature).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from governance.financing.grant_values import GrantTerms, PlannedTranche, TrancheKind
from governance.values import ReportKind
from projections.funding_status import funding_of
from projections.reporting import obligations_of
from web.ops.demo.story import Story, at

GRANT = Decimal("350000.00")
RATE = Decimal(70)
ADVANCE = Decimal("105000.00")
INTERIM = Decimal("70000.00")
SIGNED_ON, RECORDED_ON = 180, 364


def tell(story: Story) -> None:
    """The financer sets up the grant, pays the advance and the first interim."""
    g, cid = story.governance, story.consortium_id
    financer = story.actor("financer")
    story.clock.at = max(
        at(story.start + timedelta(days=RECORDED_ON), 15),
        story.clock.at + timedelta(minutes=1),
    )
    read_side = story.stores.read_side
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        reports = obligations_of(connection, str(cid))
    activity = sorted(
        (r for r in reports if r.kind is ReportKind.ACTIVITY_REPORT),
        key=lambda r: r.due_on,
    )
    final = next(r for r in reports if r.kind is ReportKind.FINANCIAL_STATEMENT)
    g.set_grant(
        financer,
        cid,
        GrantTerms(
            GRANT,
            RATE,
            story.start,
            story.start + timedelta(days=3 * 365),
        ),
        [
            PlannedTranche(TrancheKind.ADVANCE, "", ADVANCE),
            PlannedTranche(TrancheKind.INTERIM, "", INTERIM, activity[0].obligation_id),
            PlannedTranche(TrancheKind.INTERIM, "", INTERIM, activity[1].obligation_id),
            PlannedTranche(TrancheKind.BALANCE, "", None, final.obligation_id),
        ],
    )
    read_side.catch_up()
    with read_side.engine.connect() as connection:
        funding = funding_of(connection, str(cid))
    assert funding is not None  # noqa: S101 - just set up
    advance, first, *_ = (t.tranche.tranche_id for t in funding.tranches)
    counted = [UUID(r.obligation_id) for r in reports]
    g.record_payment(
        financer,
        cid,
        advance,
        ADVANCE,
        story.start + timedelta(days=SIGNED_ON + 1),
        counted,
    )
    # The convention's fixed interim payment, now that its report is accepted.
    g.record_payment(financer, cid, first, INTERIM, story.clock.at.date(), counted)
