"""The application's closing dates: the deadlines of a consortium still setting up,
for "My deadlines", the iCalendar feed and the reminder pipeline.

Each closing date of a consortium's call is a deadline while the consortium is in
setup (its application not yet filed), from today on: a wave that closed is no
longer reminded (the next one is). A reminder of one names the deadline's id as its
``obligation_id`` (``application_deadline_id``); ``projections.reminders`` joins
reports only, these queries join closing dates, and the callers put the lists
together. Every closing date ever given is kept, so that a reminder of a date the
call no longer has still reads in words.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import Column, Connection, Date, String, Table, select

from governance import events
from governance.call.values import application_deadline_id
from governance.values import CallForProjects, Phase, ReportStatus
from projections.base import Envelope, Projection, metadata, on
from projections.buffer import add_row, batch_cache, find_row
from projections.consortia import consortia
from projections.members import memberships
from projections.reminders import (
    NotificationRow,
    OpenDeadline,
    _days,
    _reminder,
    newest_addressed_to,
    oldest_undelivered,
    reminder_schedules,
    reminders,
)

SETUP = Phase.SETUP.value

application_deadlines = Table(
    "application_deadlines",
    metadata,
    Column("deadline_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("closing_on", Date, nullable=False),
)


@dataclass(frozen=True)
class ApplicationDeadline:
    """An application still to be filed by a closing date."""

    deadline_id: str
    consortium_id: str
    consortium_name: str
    call_name: str
    funder: str
    closing_on: date


class ApplicationDeadlinesProjection(Projection):
    """Every closing date of every consortium's call."""

    name: ClassVar[str] = "application_deadlines"
    tables: ClassVar[tuple[Table, ...]] = (application_deadlines,)

    def lookups(
        self, envelopes: Sequence[Envelope[Any]]
    ) -> Iterator[tuple[Table, dict[str, Any]]]:
        """Whether each closing date of a founded or revised call is known yet."""
        for envelope in envelopes:
            e = envelope.event
            if isinstance(e, events.ConsortiumFounded | events.ProfileRevised):
                for closing_on in e.call.closing_dates:
                    yield (
                        application_deadlines,
                        {
                            "deadline_id": application_deadline_id(
                                envelope.originator_id, closing_on
                            )
                        },
                    )

    @on(events.ConsortiumFounded)
    def founded(
        self, connection: Connection, envelope: Envelope[events.ConsortiumFounded]
    ) -> None:
        self._dates(connection, envelope.originator_id, envelope.event.call)

    @on(events.ProfileRevised)
    def revised(
        self, connection: Connection, envelope: Envelope[events.ProfileRevised]
    ) -> None:
        self._dates(connection, envelope.originator_id, envelope.event.call)

    @staticmethod
    def _dates(
        connection: Connection, consortium_id: str, call: CallForProjects
    ) -> None:
        known = batch_cache(connection, "application_deadlines.known")
        for closing_on in call.closing_dates:
            deadline_id = application_deadline_id(consortium_id, closing_on)
            if deadline_id in known:
                continue
            known[deadline_id] = True
            named = {"deadline_id": deadline_id}
            if find_row(connection, application_deadlines, named) is None:
                add_row(
                    connection,
                    application_deadlines,
                    {
                        "deadline_id": deadline_id,
                        "consortium_id": consortium_id,
                        "closing_on": closing_on,
                    },
                )


def _still_open(closing_dates: str, closing_on: date) -> bool:
    """Whether the closing date is still one of the call's (a revised call may have
    dropped it)."""
    return closing_on.isoformat() in closing_dates


def open_application_deadlines(
    connection: Connection, due_from: date, due_until: date, today: date
) -> list[OpenDeadline]:
    """Closing dates from today on, in the window, of consortia still in setup."""
    rows = connection.execute(
        select(
            application_deadlines,
            consortia.c.call_closing_dates,
            reminder_schedules.c.days_before,
        )
        .join(
            consortia,
            consortia.c.consortium_id == application_deadlines.c.consortium_id,
        )
        .outerjoin(
            reminder_schedules,
            reminder_schedules.c.consortium_id == application_deadlines.c.consortium_id,
        )
        .where(
            consortia.c.phase == SETUP,
            application_deadlines.c.closing_on >= max(due_from, today),
            application_deadlines.c.closing_on <= due_until,
        )
        .order_by(
            application_deadlines.c.closing_on, application_deadlines.c.deadline_id
        )
    )
    return [
        OpenDeadline(
            r.deadline_id, r.consortium_id, r.closing_on, None, _days(r.days_before)
        )
        for r in rows
        if _still_open(r.call_closing_dates, r.closing_on)
    ]


def application_deadlines_of_account(
    connection: Connection, account_id: str, today: date
) -> list[ApplicationDeadline]:
    """The closing dates from today on of the person's consortia still in setup."""
    rows = connection.execute(
        select(
            application_deadlines,
            consortia.c.name,
            consortia.c.call_name,
            consortia.c.call_funder,
            consortia.c.call_closing_dates,
        )
        .join(
            consortia,
            consortia.c.consortium_id == application_deadlines.c.consortium_id,
        )
        .join(
            memberships,
            memberships.c.consortium_id == application_deadlines.c.consortium_id,
        )
        .where(
            memberships.c.account_id == account_id,
            consortia.c.phase == SETUP,
            application_deadlines.c.closing_on >= today,
        )
        .order_by(application_deadlines.c.closing_on, consortia.c.name)
    )
    return [
        ApplicationDeadline(
            r.deadline_id,
            r.consortium_id,
            r.name,
            r.call_name,
            r.call_funder,
            r.closing_on,
        )
        for r in rows
        if _still_open(r.call_closing_dates, r.closing_on)
    ]


def _about_applications() -> Any:
    return (
        select(
            reminders,
            consortia.c.name.label("consortium_name"),
            consortia.c.call_name,
            consortia.c.call_funder,
            consortia.c.phase,
        )
        .join(consortia, consortia.c.consortium_id == reminders.c.consortium_id)
        .join(
            application_deadlines,
            application_deadlines.c.deadline_id == reminders.c.obligation_id,
        )
    )


def _rows(connection: Connection, query: Any) -> list[NotificationRow]:
    # Still due while the consortium is setting up; once it filed (left its setup),
    # a reminder not yet delivered is recorded in the application only.
    return [
        NotificationRow(
            _reminder(r),
            r.consortium_name,
            r.call_name,
            r.call_funder,
            ReportStatus.DUE if r.phase == SETUP else ReportStatus.SUBMITTED,
            about="application",
        )
        for r in connection.execute(query)
    ]


def undelivered_application_items(
    connection: Connection, limit: int = 500
) -> list[NotificationRow]:
    """Reminders of closing dates whose delivery is not recorded yet."""
    return _rows(connection, oldest_undelivered(_about_applications(), limit))


def application_notifications_of(
    connection: Connection,
    account_id: str,
    *,
    before: datetime | None = None,
    limit: int = 20,
) -> list[NotificationRow]:
    """A person's reminders of closing dates, newest first (keyset)."""
    query = newest_addressed_to(_about_applications(), account_id, before, limit)
    return _rows(connection, query)
