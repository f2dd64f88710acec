"""'Verify now': a consortium's verification, asked for on its page, run later.

Pressing the button records a request in an app table (``app.db``, or the PostgreSQL
database), so every web process shows the same pending state and result, and answers
at once. The verification itself (``web.ops.audit_scope.run_requested``) runs in the
process that runs the scheduler: ``consortium serve`` on SQLite, ``consortium
worker`` on PostgreSQL, in a job of its own every few seconds, beside the minute tick
so that neither waits for the other. Why there and not in a thread of the web
process that took the press: web processes on PostgreSQL start no background work (a
verification reads the whole chain and would take CPU from requests on whichever
host got the press, and die with it); the worker is the one place that already reads
everything, and any number of web hosts behind a proxy only write and read rows. A
request is taken by an atomic conditional update, so a second worker started by
mistake never runs the same one twice; a claim left by a process that died is taken
over after ``STALE``, at most ``ATTEMPTS`` times.

Rate limit: one request per consortium per ``EVERY``, and never a second while one is
pending or running. Both are one conditional update of the consortium's gate row, so
two presses at once (two tabs, two web processes) cannot both pass.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy import (
    Column,
    Engine,
    Index,
    Integer,
    MetaData,
    Row,
    String,
    Table,
    Text,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from projections.base import UtcDateTime

logger = logging.getLogger(__name__)

EVERY = timedelta(minutes=10)
"""At most one verification per consortium in this time."""
STALE = timedelta(minutes=15)
"""A claim older than this belongs to a process that died: taken over."""
ATTEMPTS = 3
"""Claims of one request before it is given up as failed."""
POLL_SECONDS = 5
"""How often the scheduler's process looks for requests."""

metadata = MetaData()

verifications = Table(
    "audit_verifications",
    metadata,
    Column("request_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False),
    Column("requested_by", String(64), nullable=False),
    Column("requested_at", UtcDateTime, nullable=False),
    # pending -> running -> done | failed
    Column("state", String(16), nullable=False),
    Column("claimed_by", String(200)),
    Column("claimed_at", UtcDateTime),
    Column("attempts", Integer, nullable=False, default=0),
    Column("finished_at", UtcDateTime),
    Column("report", Text),
    Index("audit_verifications_by_consortium", "consortium_id", "requested_at"),
    Index("audit_verifications_by_state", "state", "requested_at"),
)

# One row per consortium that ever asked: when the next request is allowed, and the
# request still open (pending or running), if any.
gates = Table(
    "audit_verification_gates",
    metadata,
    Column("consortium_id", String(36), primary_key=True),
    Column("next_at", UtcDateTime, nullable=False),
    Column("open_request", String(36)),
)

OPEN = ("pending", "running")


@dataclass(frozen=True)
class Verification:
    """One request and, once it ran, what it found."""

    request_id: str
    consortium_id: str
    requested_by: str
    requested_at: datetime
    state: str
    finished_at: datetime | None
    report: str | None  # JSON: ``web.ops.audit_scope.ScopedReport.from_json`` reads it

    @property
    def is_open(self) -> bool:
        return self.state in OPEN


@dataclass(frozen=True)
class Refused:
    """A press that the rate limit turned down, and when the next may come."""

    under_way: bool  # one is pending or running
    next_at: datetime


def _verification(row: Row[Any]) -> Verification:
    return Verification(
        str(row.request_id),
        str(row.consortium_id),
        str(row.requested_by),
        row.requested_at,
        str(row.state),
        row.finished_at,
        row.report,
    )


class AuditVerifications:
    """The requests table, over the app engine."""

    def __init__(self, engine: Engine, *, every: timedelta = EVERY) -> None:
        self.engine = engine
        self.every = every

    def create_tables(self) -> None:
        """Create missing tables (idempotent)."""
        metadata.create_all(self.engine)

    def request(
        self, consortium_id: str, account_id: str, *, now: datetime
    ) -> Verification | Refused:
        """Record a request, unless the consortium's gate is closed."""
        request_id = str(uuid4())
        row = {
            "request_id": request_id,
            "consortium_id": consortium_id,
            "requested_by": account_id,
            "requested_at": now,
            "state": "pending",
            "attempts": 0,
        }
        with self.engine.begin() as connection:
            opened = connection.execute(
                update(gates)
                .where(
                    gates.c.consortium_id == consortium_id,
                    gates.c.next_at <= now,
                    gates.c.open_request.is_(None),
                )
                .values(next_at=now + self.every, open_request=request_id)
            ).rowcount
            if opened:
                connection.execute(insert(verifications).values(**row))
        if not opened:
            refused = self.refusal(consortium_id)
            if refused is not None:
                return refused
            try:  # the consortium's first request: its gate row is new
                with self.engine.begin() as connection:
                    connection.execute(
                        insert(gates).values(
                            consortium_id=consortium_id,
                            next_at=now + self.every,
                            open_request=request_id,
                        )
                    )
                    connection.execute(insert(verifications).values(**row))
            except IntegrityError:  # a first press at the same moment won
                refused = self.refusal(consortium_id)
                assert refused is not None  # noqa: S101 - the gate row exists now
                return refused
        logger.info(
            "audit.verification_requested consortium=%s request=%s",
            consortium_id,
            request_id,
        )
        return Verification(
            request_id, consortium_id, account_id, now, "pending", None, None
        )

    def refusal(self, consortium_id: str) -> Refused | None:
        """Why a press now would be refused (None: there is no gate row yet)."""
        with self.engine.connect() as connection:
            gate = connection.execute(
                select(gates).where(gates.c.consortium_id == consortium_id)
            ).first()
        if gate is None:
            return None
        return Refused(gate.open_request is not None, gate.next_at)

    def next_at(self, consortium_id: str, now: datetime) -> datetime | None:
        """When the next press is allowed, if not now."""
        refused = self.refusal(consortium_id)
        if refused is None or (not refused.under_way and refused.next_at <= now):
            return None
        return refused.next_at

    def latest(
        self, consortium_id: str
    ) -> tuple[Verification | None, Verification | None]:
        """The open request, if any, and the last finished one, if any."""
        with self.engine.connect() as connection:
            open_row = connection.execute(
                select(verifications)
                .where(
                    verifications.c.consortium_id == consortium_id,
                    verifications.c.state.in_(OPEN),
                )
                .order_by(verifications.c.requested_at.desc())
                .limit(1)
            ).first()
            done_row = connection.execute(
                select(verifications)
                .where(
                    verifications.c.consortium_id == consortium_id,
                    verifications.c.state.not_in(OPEN),
                )
                .order_by(verifications.c.finished_at.desc())
                .limit(1)
            ).first()
        return (
            _verification(open_row) if open_row else None,
            _verification(done_row) if done_row else None,
        )

    def claim(self, holder: str, *, now: datetime) -> Verification | None:
        """Take the oldest request waiting (or abandoned) for this process."""
        takeable = or_(
            verifications.c.state == "pending",
            (verifications.c.state == "running")
            & (verifications.c.claimed_at < now - STALE),
        )
        while True:
            with self.engine.connect() as connection:
                row = connection.execute(
                    select(verifications)
                    .where(takeable)
                    .order_by(verifications.c.requested_at)
                    .limit(1)
                ).first()
            if row is None:
                return None
            if row.attempts >= ATTEMPTS:
                self.finish(row.request_id, None, now=now, holder=row.claimed_by)
                continue
            with self.engine.begin() as connection:
                taken = connection.execute(
                    update(verifications)
                    .where(verifications.c.request_id == row.request_id, takeable)
                    .values(
                        state="running",
                        claimed_by=holder,
                        claimed_at=now,
                        attempts=row.attempts + 1,
                    )
                ).rowcount
            if taken:
                return _verification(row)

    def finish(
        self,
        request_id: str,
        report: str | None,
        *,
        now: datetime,
        holder: str | None,
    ) -> None:
        """Store the outcome (a JSON report; None: the verification failed) and
        open the gate."""
        with self.engine.begin() as connection:
            done = connection.execute(
                update(verifications)
                .where(
                    verifications.c.request_id == request_id,
                    verifications.c.state.in_(OPEN),
                    verifications.c.claimed_by == holder
                    if holder is not None
                    else verifications.c.claimed_by.is_(None),
                )
                .values(
                    state="done" if report is not None else "failed",
                    finished_at=now,
                    report=report,
                )
            ).rowcount
            if done:
                connection.execute(
                    update(gates)
                    .where(gates.c.open_request == request_id)
                    .values(open_request=None)
                )
