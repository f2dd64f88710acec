"""Notices: every step that waits on someone, told to that someone.

1. ``intake``: read the log from where the intake stopped, up to where the read
   models are, and turn each step into notices, one per person concerned (computed
   from the read models: members, roles, the report's responsible person), never to
   the person who acted. The notices and the new position commit together, so each
   step is told once, whatever crashes or rebuilds of the projections happen.
2. ``announce_closing``: 48 hours before a written vote closes, tell the members
   whose partner has not voted yet (time-driven, so the scheduler's tick does it;
   the notice's id is the vote's and the person's, so it is told once).
3. ``dispatch``: each waiting notice goes by its person's preference: its own
   e-mail into the outbox (the reminders' sender sends it), a line of the day's
   notice digest, or in-app only. The e-mail and the notice's "delivered" mark
   commit together, under a deterministic Message-ID.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid5

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError

from governance import events
from governance.actor import SCHEDULER
from governance.values import MemberRole
from notifications.emails import Delivery
from notifications.notice_emails import NoticeRenderer
from notifications.notice_store import Notice, NoticeStore
from notifications.outbox import Message, queue
from notifications.policy import LOCAL_ZONE
from notifications.reminders import DIGEST_HOUR, Directory
from projections.audit_chain import audit_checkpoints
from projections.base import Envelope
from projections.decisions import bodies
from projections.decisions.tables import proposals, votes
from projections.history.tables import history
from projections.members import memberships
from projections.reporting import obligations
from projections.runtime import ReadSide

logger = logging.getLogger(__name__)

# Fixed forever: a notice derived again (after a crash) must keep its id.
NOTICE_NAMESPACE = UUID("5b0e7f3a-8c21-4d6e-a4f9-1e2d3c4b5a69")
CLOSING_AHEAD = timedelta(hours=48)
BATCH = 200

VOTE_OPENED = "vote_opened"
VOTE_CLOSING = "vote_closing"
VOTE_CLOSED = "vote_closed"
REPORT_SUBMITTED = "report_submitted"
CHANGES_REQUESTED = "changes_requested"
REPORT_ACCEPTED = "report_accepted"
INVITATION_ACCEPTED = "invitation_accepted"
DECISION_RECORDED = "decision_recorded"
CHECKPOINT_TO_COUNTERSIGN = "checkpoint_to_countersign"
KINDS = (
    VOTE_OPENED,
    VOTE_CLOSING,
    VOTE_CLOSED,
    REPORT_SUBMITTED,
    CHANGES_REQUESTED,
    REPORT_ACCEPTED,
    INVITATION_ACCEPTED,
    DECISION_RECORDED,
    CHECKPOINT_TO_COUNTERSIGN,
)


def notice_id(*parts: object) -> str:
    """The deterministic id of a notice, from what makes it unique."""
    return str(uuid5(NOTICE_NAMESPACE, ":".join(str(p) for p in parts)))


def _people(connection: Connection, consortium_id: str, role: MemberRole) -> list[str]:
    return list(
        connection.scalars(
            select(memberships.c.account_id)
            .where(
                memberships.c.consortium_id == consortium_id,
                memberships.c.role == role.value,
            )
            .order_by(memberships.c.since, memberships.c.account_id)
        )
    )


def _voters(
    connection: Connection, consortium_id: str, partner_ids: Iterable[str]
) -> list[str]:
    """The members whose partner may vote (their partner sits on the body)."""
    partners = set(partner_ids)
    rows = connection.execute(
        select(memberships.c.account_id, memberships.c.partner_id)
        .where(
            memberships.c.consortium_id == consortium_id,
            memberships.c.role == MemberRole.MEMBER.value,
        )
        .order_by(memberships.c.since, memberships.c.account_id)
    )
    return [account for account, partner in rows if partner in partners]


def _proposal(connection: Connection, proposal_id: str) -> Any:
    return connection.execute(
        select(proposals).where(proposals.c.proposal_id == proposal_id)
    ).first()


def _report(connection: Connection, obligation_id: str) -> Any:
    return connection.execute(
        select(obligations).where(obligations.c.obligation_id == obligation_id)
    ).first()


def _period(report: Any) -> str:
    if report.period_start is None or report.period_end is None:
        return ""
    return f"{report.period_start.isoformat()}/{report.period_end.isoformat()}"


@dataclass(frozen=True)
class _Step:
    """What a step says, and to whom."""

    kind: str
    consortium_id: str
    subject_id: str
    title: str
    detail: str
    audience: list[str]


def step_of(connection: Connection, envelope: Envelope[Any]) -> list[_Step]:
    """The step an event is, and who waits on it (none for most events)."""
    e = envelope.event
    subject = envelope.originator_id
    if isinstance(e, events.ProposalTabled):
        audience = _voters(connection, e.consortium_id, e.members)
        return [_Step(VOTE_OPENED, e.consortium_id, subject, e.title, "", audience)]
    if isinstance(e, events.ProposalClosed):
        p = _proposal(connection, subject)
        if p is None:
            return []
        audience = _voters(connection, p.consortium_id, json.loads(p.members))
        audience += _people(connection, p.consortium_id, MemberRole.COORDINATOR)
        detail = e.outcome.value
        return [_Step(VOTE_CLOSED, p.consortium_id, subject, p.title, detail, audience)]
    if isinstance(e, events.DecisionRecorded):
        members = connection.scalar(
            select(bodies.c.members).where(bodies.c.body_id == e.body_id)
        )
        audience = _voters(connection, e.consortium_id, json.loads(members or "{}"))
        detail = e.outcome.value
        return [
            _Step(
                DECISION_RECORDED, e.consortium_id, subject, e.title, detail, audience
            )
        ]
    if isinstance(
        e,
        events.ReportSubmitted | events.ReportChangesRequested | events.ReportAccepted,
    ):
        return _report_step(connection, envelope)
    if isinstance(e, events.MembershipGranted) and e.invitation_id:
        audience = _people(connection, subject, MemberRole.COORDINATOR)
        role = e.role.value
        return [_Step(INVITATION_ACCEPTED, subject, e.account_id, "", role, audience)]
    if isinstance(e, events.CheckpointSealed):
        # Only the consortia something happened in since the previous checkpoint
        # (by a person): a quiet consortium's financer is not asked every day.
        previous = connection.scalar(
            select(func.max(audit_checkpoints.c.position)).where(
                audit_checkpoints.c.position < e.position
            )
        )
        active = (
            select(history.c.consortium_id)
            .where(
                history.c.position > (previous or 0),
                history.c.position <= e.position,
                history.c.actor_id != SCHEDULER,
            )
            .distinct()
        )
        rows = connection.execute(
            select(memberships.c.consortium_id, memberships.c.account_id)
            .where(
                memberships.c.role == MemberRole.FINANCER.value,
                memberships.c.consortium_id.in_(active),
            )
            .order_by(memberships.c.consortium_id, memberships.c.account_id)
        ).all()
        by_consortium: dict[str, list[str]] = defaultdict(list)
        for consortium_id, account_id in rows:
            by_consortium[consortium_id].append(account_id)
        return [
            _Step(CHECKPOINT_TO_COUNTERSIGN, c, subject, str(e.position), "", people)
            for c, people in by_consortium.items()
        ]
    return []


def _report_step(connection: Connection, envelope: Envelope[Any]) -> list[_Step]:
    e = envelope.event
    report = _report(connection, envelope.originator_id)
    if report is None:
        return []
    if isinstance(e, events.ReportSubmitted):
        kind = REPORT_SUBMITTED
        audience = _people(connection, report.consortium_id, MemberRole.FINANCER)
    else:
        kind = (
            CHANGES_REQUESTED
            if isinstance(e, events.ReportChangesRequested)
            else REPORT_ACCEPTED
        )
        audience = (
            [report.responsible_id]
            if report.responsible_id
            else _people(connection, report.consortium_id, MemberRole.COORDINATOR)
        )
    return [
        _Step(
            kind,
            report.consortium_id,
            envelope.originator_id,
            report.title,
            _period(report),
            audience,
        )
    ]


def notices_of(connection: Connection, envelope: Envelope[Any]) -> list[Notice]:
    """The notices an event gives: one per person waiting on its step, never to the
    person who took it."""
    found: list[Notice] = []
    version = getattr(envelope.event, "originator_version", envelope.position)
    for step in step_of(connection, envelope):
        for account_id in dict.fromkeys(step.audience):
            if account_id == envelope.actor_id:
                continue
            found.append(
                Notice(
                    notice_id=notice_id(
                        envelope.originator_id, version, step.consortium_id, account_id
                    ),
                    account_id=account_id,
                    consortium_id=step.consortium_id,
                    kind=step.kind,
                    subject_id=step.subject_id,
                    title=step.title,
                    detail=step.detail,
                    created_at=envelope.recorded_at,
                )
            )
    return found


def take_in(read_side: ReadSide, store: NoticeStore, batches: int | None = None) -> int:
    """Turn the steps recorded since the intake stopped into notices (at most
    ``batches`` batches); returns how many notices.

    The scheduler's tick runs it to the end; the notifications page runs one batch,
    so that a person sees at once what waits on them (nothing is sent from there).
    Two runs at once are harmless: the second finds the batch taken and stops.
    """
    read_side.catch_up()
    until = read_side.position()
    taken = 0
    done = 0
    while batches is None or done < batches:
        start = store.position()
        if start >= until:
            break
        envelopes = [e for e in read_side.log.read(start, BATCH) if e.position <= until]
        if not envelopes:
            break
        with read_side.engine.connect() as connection:
            found = [n for e in envelopes for n in notices_of(connection, e)]
        if not store.take(start, envelopes[-1].position, found):
            break  # another run took this batch
        taken += len(found)
        done += 1
    return taken


@dataclass
class NoticePipeline:
    """Intake, closing announcements and dispatch, wired by the composition root."""

    read_side: ReadSide
    store: NoticeStore
    directory: Directory
    renderer: NoticeRenderer

    def run(self, now: datetime) -> tuple[int, int, int]:
        """Every step once; returns (notices taken in, announced, e-mails queued)."""
        taken = self.intake()
        announced = self.announce_closing(now)
        queued = self.dispatch(now)
        return taken, announced, queued

    def intake(self) -> int:
        """Turn the steps recorded since the last run into notices."""
        return take_in(self.read_side, self.store)

    def announce_closing(self, now: datetime) -> int:
        """Tell the members whose partner has not voted that a vote closes soon."""
        with self.read_side.engine.connect() as connection:
            closing = connection.execute(
                select(proposals).where(
                    proposals.c.outcome.is_(None),
                    proposals.c.mode == "written",
                    proposals.c.closes_at > now,
                    proposals.c.closes_at <= now + CLOSING_AHEAD,
                )
            ).all()
            found: list[Notice] = []
            for p in closing:
                voted = set(
                    connection.scalars(
                        select(votes.c.partner_id).where(
                            votes.c.proposal_id == p.proposal_id
                        )
                    )
                )
                waiting = [m for m in json.loads(p.members) if m not in voted]
                for account_id in _voters(connection, p.consortium_id, waiting):
                    found.append(
                        Notice(
                            notice_id=notice_id("closing", p.proposal_id, account_id),
                            account_id=account_id,
                            consortium_id=p.consortium_id,
                            kind=VOTE_CLOSING,
                            subject_id=p.proposal_id,
                            title=p.title,
                            detail=p.closes_at.isoformat(),
                            created_at=now,
                        )
                    )
        return self.store.add(found)

    def dispatch(self, now: datetime) -> int:
        """Queue the e-mails of waiting notices; returns how many were queued."""
        waiting = self.store.waiting()
        if not waiting:
            return 0
        people = self.directory.recipients({n.account_id for n in waiting})
        local = now.astimezone(LOCAL_ZONE)
        queued = 0
        digests: dict[str, list[Notice]] = defaultdict(list)
        for notice in waiting:
            person = people.get(notice.account_id)
            if person is None or person.disabled or person.delivery is Delivery.IN_APP:
                self._deliver(None, [notice], "in_app", now)
            elif person.delivery is Delivery.DIGEST:
                digests[person.account_id].append(notice)
            else:
                message = self.renderer.notice(notice, person)
                queued += self._deliver(message, [notice], "email", now)
        if local.time() >= time(DIGEST_HOUR):
            for account_id, found in digests.items():
                person = people[account_id]
                message = self.renderer.digest(found, person, local.date())
                queued += self._deliver(message, found, "digest", now)
        return queued

    def _deliver(
        self, message: Message | None, found: list[Notice], channel: str, now: datetime
    ) -> int:
        """The e-mail (if any) and the notices' mark, in one transaction."""
        ids = [n.notice_id for n in found]
        try:
            with self.store.engine.begin() as connection:
                if message is not None:
                    queue(connection, message, now=now)
                self.store.delivered(
                    connection,
                    ids,
                    channel,
                    message.message_id if message is not None else None,
                )
        except IntegrityError:
            # Today's digest is gone already: these wait for tomorrow's.
            return 0
        return 1 if message is not None else 0
