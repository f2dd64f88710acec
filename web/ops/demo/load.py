"""``consortium demo``: the demo year written chapter by chapter, in order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

from governance.actor import Actor
from notifications.emails import MailRenderer
from notifications.mail import MailboxTransport
from notifications.reminders import ReminderPipeline
from web.i18n import catalogues
from web.links import EmailLinks
from web.ops.demo import (
    amendments,
    deliveries,
    expenses,
    financial_report,
    founding,
    funding,
    implementation,
    pledges,
    selection,
    workplan,
    year_end,
)
from web.ops.demo.story import SettableClock, Story, at
from web.ops.jobs import AccountDirectory
from web.stores import Stores

# After the founding, the story's chapters in the order they happened.
CHAPTERS: tuple[Callable[[Story], None], ...] = (
    founding.partners,
    pledges.tell,
    selection.tell,
    implementation.tell,
    deliveries.tell,
    year_end.tell,
    expenses.tell,
    amendments.tell,
    funding.tell,
    financial_report.tell,
    workplan.tell,
)


def _reminder_pipeline(
    stores: Stores, mailbox: Path, base_url: str
) -> ReminderPipeline:
    return ReminderPipeline(
        governance=stores.governance,
        read_side=stores.read_side,
        outbox=stores.outbox,
        directory=AccountDirectory(stores.accounts),
        renderer=MailRenderer(catalogues(), base_url, EmailLinks(base_url)),
        transport=MailboxTransport(mailbox),
        sender="Consortium Ledger (démo) <no-reply@demo.example>",
    )


def load_demo(
    stores: Stores,
    *,
    today: date,
    mailbox: Path | None = None,
    base_url: str = "http://127.0.0.1:8000",
) -> UUID:
    """Write the demo consortium's year of history; returns its id.

    ``stores`` are opened with the demo's clock (``open_stores(settings,
    clock=SettableClock())``): the story sets it to each day it tells, then lets it
    go back to the system's time. With a ``mailbox`` file, the reminder pipeline
    runs each time the demo's clock moves on, as the scheduler would have:
    reminders are issued and their e-mails written to that file (never to a real
    SMTP server: the addresses are fictional).
    """
    clock = stores.clock
    if not isinstance(clock, SettableClock):
        raise TypeError("the demo needs stores opened with its clock (SettableClock)")
    start = today - timedelta(days=365)
    reminders = _reminder_pipeline(stores, mailbox, base_url) if mailbox else None
    clock.at = at(start)
    try:
        people, cid = founding.found(stores, start)
        story = Story(
            stores=stores,
            start=start,
            clock=clock,
            reminders=reminders,
            people=people,
            coordinator=Actor(people["coordinator"].account_id),
            consortium_id=cid,
        )
        for chapter in CHAPTERS:
            chapter(story)
    finally:
        clock.let_go()
    stores.read_side.catch_up()
    return cid
