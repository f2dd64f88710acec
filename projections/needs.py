"""What needs a person, across their consortia: the landing page's "Needs you" list.

Read from the tables the other projections keep (memberships, proposals and votes,
proxies, reporting obligations); nothing of its own to rebuild. Each item says what
waits, where, and by when, so that the list answers "what do I do next?":

- a representative: each open vote their partner (or a partner that gave them its
  proxy for today) has not voted in yet;
- the coordinator and the pilot team: each report to write or to submit that is
  overdue or due within the horizon, and each report the funder sent back;
- a financer: each report submitted and waiting for review.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from sqlalchemy import Connection, and_, select

from governance.values import MemberRole, ReportStatus
from projections.consortia import consortia
from projections.decisions.tables import proposals, proxies, votes
from projections.members import memberships
from projections.partners import partners
from projections.reporting import obligations

HORIZON_DAYS = 30
"""How far ahead a report to write counts as needing someone."""


class NeedKind(Enum):
    """What waits on the person."""

    VOTE = "vote"
    REPORT_TO_WRITE = "report_to_write"
    CHANGES_REQUESTED = "changes_requested"
    REPORT_TO_REVIEW = "report_to_review"


@dataclass(frozen=True)
class Need:
    """One thing waiting on a person, with its deadline (None: no fixed one)."""

    kind: NeedKind
    consortium_id: str
    consortium_name: str
    subject_id: str
    title: str
    due_on: date | None
    closes_at: datetime | None = None
    partner_name: str = ""
    period: tuple[date, date] | None = None

    @property
    def sort_key(self) -> tuple[date, str, str]:
        """Soonest first; items without a deadline last."""
        day = self.closes_at.date() if self.closes_at else self.due_on
        return (day or date.max, self.consortium_name.lower(), self.title.lower())


def needs_of(connection: Connection, account_id: str, today: date) -> list[Need]:
    """Everything waiting on ``account_id`` across their consortia, soonest first."""
    roles = connection.execute(
        select(
            memberships.c.consortium_id,
            memberships.c.role,
            memberships.c.partner_id,
            consortia.c.name,
        )
        .join(consortia, consortia.c.consortium_id == memberships.c.consortium_id)
        .where(memberships.c.account_id == account_id)
    ).all()
    found: list[Need] = []
    for consortium_id, role, partner_id, name in roles:
        held = MemberRole(role)
        if held is MemberRole.MEMBER and partner_id:
            found += _votes_waiting(connection, consortium_id, name, partner_id, today)
        if held in (MemberRole.COORDINATOR, MemberRole.PILOT_TEAM):
            found += _reports_to_write(connection, consortium_id, name, today)
        if held is MemberRole.FINANCER:
            found += _reports_to_review(connection, consortium_id, name)
    return sorted(found, key=lambda need: need.sort_key)


def _votes_waiting(
    connection: Connection,
    consortium_id: str,
    consortium_name: str,
    partner_id: str,
    today: date,
) -> list[Need]:
    represented = {partner_id} | {
        row.from_partner
        for row in connection.execute(
            select(proxies.c.from_partner).where(
                proxies.c.consortium_id == consortium_id,
                proxies.c.to_partner == partner_id,
                proxies.c.valid_from <= today,
                proxies.c.valid_until >= today,
            )
        )
    }
    open_votes = connection.execute(
        select(
            proposals.c.proposal_id,
            proposals.c.title,
            proposals.c.members,
            proposals.c.closes_at,
            proposals.c.meeting_on,
        ).where(
            proposals.c.consortium_id == consortium_id,
            proposals.c.kind == "vote",
            proposals.c.outcome.is_(None),
        )
    ).all()
    names = dict(
        connection.execute(
            select(partners.c.partner_id, partners.c.name).where(
                partners.c.partner_id.in_(represented)
            )
        ).all()
    )
    found: list[Need] = []
    for proposal in open_votes:
        members = json.loads(proposal.members)
        voted = {
            row.partner_id
            for row in connection.execute(
                select(votes.c.partner_id).where(
                    votes.c.proposal_id == proposal.proposal_id
                )
            )
        }
        for partner in sorted(represented & set(members) - voted):
            found.append(
                Need(
                    NeedKind.VOTE,
                    consortium_id,
                    consortium_name,
                    proposal.proposal_id,
                    proposal.title,
                    proposal.meeting_on,
                    proposal.closes_at,
                    names.get(partner, ""),
                )
            )
    return found


def _reports_to_write(
    connection: Connection, consortium_id: str, consortium_name: str, today: date
) -> list[Need]:
    horizon = today + timedelta(days=HORIZON_DAYS)
    rows = connection.execute(
        select(
            obligations.c.obligation_id,
            obligations.c.title,
            obligations.c.due_on,
            obligations.c.status,
            obligations.c.period_start,
            obligations.c.period_end,
        ).where(
            obligations.c.consortium_id == consortium_id,
            obligations.c.status.in_(
                [
                    ReportStatus.DUE.value,
                    ReportStatus.DRAFTED.value,
                    ReportStatus.CHANGES_REQUESTED.value,
                ]
            ),
            # Sent back by the funder: waits whatever its due date.
            (obligations.c.due_on <= horizon)
            | (obligations.c.status == ReportStatus.CHANGES_REQUESTED.value),
        )
    )
    return [
        Need(
            NeedKind.CHANGES_REQUESTED
            if r.status == ReportStatus.CHANGES_REQUESTED.value
            else NeedKind.REPORT_TO_WRITE,
            consortium_id,
            consortium_name,
            r.obligation_id,
            r.title,
            r.due_on,
            period=_period(r.period_start, r.period_end),
        )
        for r in rows
    ]


def _period(start: date | None, end: date | None) -> tuple[date, date] | None:
    # Reports of one series share a title: their period tells them apart.
    return (start, end) if start is not None and end is not None else None


def _reports_to_review(
    connection: Connection, consortium_id: str, consortium_name: str
) -> list[Need]:
    rows = connection.execute(
        select(
            obligations.c.obligation_id,
            obligations.c.title,
            obligations.c.due_on,
            obligations.c.period_start,
            obligations.c.period_end,
        ).where(
            and_(
                obligations.c.consortium_id == consortium_id,
                obligations.c.status == ReportStatus.SUBMITTED.value,
            )
        )
    )
    return [
        Need(
            NeedKind.REPORT_TO_REVIEW,
            consortium_id,
            consortium_name,
            r.obligation_id,
            r.title,
            r.due_on,
            period=_period(r.period_start, r.period_end),
        )
        for r in rows
    ]
