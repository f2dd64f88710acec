"""``consortium demo``: the demo year written chapter by chapter, in order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

from governance.actor import Actor
from governance.clock import Clock
from notifications.emails import MailRenderer
from notifications.mail import MailboxTransport
from notifications.reminders import ReminderPipeline
from web.i18n import catalogues
from web.ops.demo import (
    deliveries,
    founding,
    implementation,
    pledges,
    selection,
    year_end,
)
from web.ops.demo.story import SettableClock, Story, at
from web.ops.jobs import AccountDirectory
from web.ops.storage import Stores

# After the founding, the story's chapters in the order they happened.
CHAPTERS: tuple[Callable[[Story], None], ...] = (
    founding.partners,
    pledges.tell,
    selection.tell,
    implementation.tell,
    deliveries.tell,
    year_end.tell,
)


def _reminder_pipeline(
    stores: Stores, mailbox: Path, base_url: str
) -> ReminderPipeline:
    return ReminderPipeline(
        governance=stores.governance,
        read_side=stores.read_side,
        outbox=stores.outbox,
        directory=AccountDirectory(stores.accounts),
        renderer=MailRenderer(catalogues(), base_url),
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

    With a ``mailbox`` file, the reminder pipeline runs each time the demo's clock
    moves on, as the scheduler would have: reminders are issued and their e-mails
    written to that file (never to a real SMTP server: the addresses are fictional).
    """
    governance = stores.governance
    start = today - timedelta(days=365)
    clock = SettableClock(at(start))
    reminders = _reminder_pipeline(stores, mailbox, base_url) if mailbox else None
    saved_clock: Clock = governance.clock
    governance.clock = clock
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
        governance.clock = saved_clock
    stores.read_side.catch_up()
    return cid
