"""The reminder pipeline, one idempotent step per tick.

1. ``issue``: ask the policy which reminders are due and record each as
   ``ReminderRequested`` (a second request for the same key is refused by the store).
2. ``dispatch``: turn each undelivered reminder into an outbox message (its own
   e-mail, or a line of tomorrow's digest), or record it as in-app only.
3. ``send``: drain the outbox over SMTP; a failure stays queued with backoff.
4. ``record``: once the server accepted a message, record ``ReminderSent`` for each
   reminder it carried.

Nothing is e-mailed before its request is recorded; a crash anywhere leaves state
that the next tick completes. The only duplicate possible is a crash between the
server's acceptance and ``mark_sent`` (at most one per crash, same Message-ID).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time
from time import monotonic
from typing import Protocol
from uuid import UUID

from governance.application import Governance
from governance.errors import Conflict, GovernanceError, RuleViolated
from governance.values import ReminderChannel, ReportStatus
from notifications.emails import Delivery, MailRenderer, Recipient, ReminderItem
from notifications.mail import SendFailed, Transport, batch, build_email
from notifications.money_reminders import money_deadlines
from notifications.outbox import Outbox, OutboxRow
from notifications.policy import (
    LOCAL_ZONE,
    Deadline,
    DueReminder,
    due_reminders,
    window,
)
from projections.application_deadlines import (
    open_application_deadlines,
    undelivered_application_items,
)
from projections.money_reminders import undelivered_money_items
from projections.reminders import (
    NotificationRow,
    audiences,
    issued_keys,
    open_deadlines,
    undelivered_items,
)
from projections.runtime import ReadSide
from projections.workplan_reminders import (
    open_deliverable_deadlines,
    undelivered_deliverable_items,
)

logger = logging.getLogger(__name__)

# Digests go out at this hour (Paris), after the reminders of the day fell due.
DIGEST_HOUR = 8
# One tick sends at most this long (seconds of real time), by batches.
SEND_BUDGET = 40.0
SEND_BATCH = 200
STILL_DUE = (ReportStatus.DUE, ReportStatus.DRAFTED, ReportStatus.CHANGES_REQUESTED)


class NoticeSteps(Protocol):
    """The notices' steps (``notifications.notices.NoticePipeline``)."""

    def run(self, now: datetime) -> tuple[int, int, int]: ...


class Directory(Protocol):
    """Who the people are: their address, language and delivery preference."""

    def recipients(self, account_ids: Iterable[str]) -> dict[str, Recipient]: ...


@dataclass
class StepCounts:
    """What one run of the pipeline did."""

    issued: int = 0
    queued: int = 0
    in_app: int = 0
    sent: int = 0
    failed: int = 0
    recorded: int = 0
    noticed: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"issued={self.issued} queued={self.queued} in_app={self.in_app} "
            f"sent={self.sent} failed={self.failed} recorded={self.recorded} "
            f"noticed={self.noticed}"
        )


@dataclass
class ReminderPipeline:
    """Everything the reminder steps need, wired by the composition root."""

    governance: Governance
    read_side: ReadSide
    outbox: Outbox
    directory: Directory
    renderer: MailRenderer
    transport: Transport
    sender: str
    # Notices of the steps that wait on someone: their e-mails join the outbox
    # before it is drained (``notifications.notices``; None: reminders only).
    notices: NoticeSteps | None = None

    def run(self, now: datetime) -> StepCounts:
        """Every step once, in order."""
        counts = StepCounts()
        counts.issued = self.issue(now)
        counts.queued, counts.in_app = self.dispatch(now)
        if self.notices is not None:
            counts.noticed, _, queued = self.notices.run(now)
            counts.queued += queued
        counts.sent, counts.failed, counts.errors = self.send(now)
        counts.recorded = self.record(now)
        return counts

    # -- 1. issue ------------------------------------------------------------------

    def issue(self, now: datetime) -> int:
        """Record every reminder the policy says is due; returns how many."""
        self.read_side.catch_up()
        due_from, due_until = window(now)
        with self.read_side.engine.connect() as connection:
            open_ = open_deadlines(connection, due_from, due_until)
            due = open_deliverable_deadlines(connection, due_from, due_until)
            # The applications' closing dates: the coordinators are responsible.
            closing = open_application_deadlines(
                connection, due_from, due_until, now.astimezone(LOCAL_ZONE).date()
            )
            people = audiences(
                connection,
                {d.consortium_id for d in (*open_, *(d for d, _ in due), *closing)},
            )
            # Statements due with reports, tranches ready to be paid.
            money, money_requests = money_deadlines(
                connection,
                self.governance,
                due_from,
                due_until,
                now.astimezone(LOCAL_ZONE).date(),
                people,
            )
            issued = issued_keys(
                connection,
                [
                    *(
                        d.obligation_id
                        for d in (*open_, *(d for d, _ in due), *closing)
                    ),
                    *(d.obligation_id for d in money),
                ],
            )
        deadlines = [
            Deadline(
                d.obligation_id,
                d.consortium_id,
                d.due_on,
                d.days_before,
                d.responsible_id,
                *people.get(d.consortium_id, ((), ())),
            )
            for d in open_
        ]
        # Deliverables: their partner's members are responsible (not one person).
        of_deliverable = {d.obligation_id: d.consortium_id for d, _ in due}
        deadlines += [
            Deadline(
                d.obligation_id,
                d.consortium_id,
                d.due_on,
                d.days_before,
                None,
                *people.get(d.consortium_id, ((), ())),
                responsible_ids=members,
            )
            for d, members in due
        ]
        deadlines += [
            Deadline(
                d.obligation_id,
                d.consortium_id,
                d.due_on,
                d.days_before,
                None,
                *people.get(d.consortium_id, ((), ())),
            )
            for d in closing
        ]
        of_application = {d.obligation_id: d.consortium_id for d in closing}
        count = 0
        for reminder in due_reminders([*deadlines, *money], now, issued):
            try:
                if reminder.obligation_id in money_requests:
                    money_requests[reminder.obligation_id](reminder)
                    count += 1
                    continue
                if reminder.obligation_id in of_application:
                    self.governance.request_application_reminder(
                        UUID(of_application[reminder.obligation_id]),
                        reminder.due_on,
                        reminder.stage,
                        reminder.recipient_id,
                        reminder.escalation,
                    )
                    count += 1
                    continue
                self._request(reminder, of_deliverable.get(reminder.obligation_id))
            except (Conflict, RuleViolated):
                continue  # issued meanwhile, or no longer due: nothing to do
            except GovernanceError:
                logger.exception("reminders.request_failed key=%s", reminder.key)
                continue
            count += 1
        if count:
            self.read_side.catch_up()
            logger.info("reminders.issued count=%s", count)
        return count

    def _request(self, reminder: DueReminder, deliverable_of: str | None) -> None:
        """Record one reminder: of a report, or of a deliverable of a consortium."""
        if deliverable_of is None:
            self.governance.request_reminder(
                UUID(reminder.obligation_id),
                reminder.stage,
                reminder.recipient_id,
                reminder.escalation,
            )
        else:
            self.governance.request_deliverable_reminder(
                UUID(deliverable_of),
                reminder.obligation_id,
                reminder.stage,
                reminder.recipient_id,
                reminder.escalation,
            )

    # -- 2. dispatch ---------------------------------------------------------------

    def dispatch(self, now: datetime) -> tuple[int, int]:
        """Queue e-mails for undelivered reminders; returns (queued, in-app)."""
        with self.read_side.engine.connect() as connection:
            pending = sorted(
                undelivered_items(connection)
                + undelivered_deliverable_items(connection)
                + undelivered_application_items(connection)
                + undelivered_money_items(connection),
                key=lambda r: (r.reminder.requested_at, r.reminder.reminder_id),
            )[:500]
        if not pending:
            return 0, 0
        already = self.outbox.queued_reminders(r.reminder.reminder_id for r in pending)
        pending = [r for r in pending if r.reminder.reminder_id not in already]
        people = self.directory.recipients({r.reminder.recipient_id for r in pending})
        local = now.astimezone(LOCAL_ZONE)
        queued = in_app = 0
        digests: dict[str, list[NotificationRow]] = defaultdict(list)
        for row in pending:
            person = people.get(row.reminder.recipient_id)
            if (
                person is None
                or person.disabled
                or person.delivery is Delivery.IN_APP
                or row.status not in STILL_DUE
            ):
                in_app += self._record_in_app(row)
            elif person.delivery is Delivery.DIGEST:
                digests[person.account_id].append(row)
            else:
                message = self.renderer.reminder(_item(row), person, local.date())
                if self.outbox.put(
                    message, now=now, reminder_ids=[row.reminder.reminder_id]
                ):
                    queued += 1
        if local.time() >= time(DIGEST_HOUR):
            for account_id, rows in digests.items():
                person = people[account_id]
                if self.outbox.has(
                    self.renderer.digest_message_id(account_id, local.date())
                ):
                    continue  # today's digest is gone: these wait for tomorrow's
                message = self.renderer.digest(
                    [_item(r) for r in rows], person, local.date()
                )
                if self.outbox.put(
                    message,
                    now=now,
                    reminder_ids=[r.reminder.reminder_id for r in rows],
                ):
                    queued += 1
        return queued, in_app

    def _record_in_app(self, row: NotificationRow) -> int:
        try:
            self.governance.record_reminder_sent(
                UUID(row.reminder.reminder_id), ReminderChannel.IN_APP, ""
            )
        except (Conflict, RuleViolated):
            return 0
        return 1

    # -- 3. send -------------------------------------------------------------------

    def send(self, now: datetime) -> tuple[int, int, list[str]]:
        """Drain the outbox; returns (sent, failed attempts, their errors).

        Goes on batch after batch while messages are due, within ``SEND_BUDGET`` of
        real time, so one tick delivers a burst and still ends.
        """
        sent = failed = 0
        errors: list[str] = []
        started = monotonic()
        with batch(self.transport):
            while monotonic() - started < SEND_BUDGET:
                rows = self.outbox.due(now, limit=SEND_BATCH)
                progressed = False
                for row in rows:
                    if not self.outbox.claim(row.message.message_id, now=now):
                        continue  # another sender has it
                    progressed = True
                    email = build_email(row.message, sender=self.sender, now=now)
                    try:
                        self.transport.send(email)
                    except SendFailed as error:
                        failed += 1
                        errors.append(str(error))
                        self._failed(row, error, now)
                        if not error.permanent:
                            # The server is likely down: the rest waits a tick.
                            return sent, failed, errors
                        continue
                    self.outbox.mark_sent(row.message.message_id, now=now)
                    sent += 1
                if not progressed:
                    break
        if sent:
            logger.info("outbox.sent count=%s via=%s", sent, self.transport.describe())
        return sent, failed, errors

    def _failed(self, row: OutboxRow, error: SendFailed, now: datetime) -> None:
        self.outbox.mark_failed(
            row.message.message_id, str(error), now=now, permanent=error.permanent
        )
        logger.warning(
            "outbox.send_failed message=%s attempts=%s permanent=%s error=%s",
            row.message.message_id,
            row.attempts + 1,
            error.permanent,
            error,
        )

    # -- 4. record -----------------------------------------------------------------

    def record(self, now: datetime) -> int:
        """Record the delivery of every reminder carried by a sent message."""
        recorded = 0
        for message_id, reminder_ids in self.outbox.unrecorded():
            channel = (
                ReminderChannel.DIGEST
                if message_id.startswith("<digest.")
                else ReminderChannel.EMAIL
            )
            for reminder_id in reminder_ids:
                try:
                    self.governance.record_reminder_sent(
                        UUID(reminder_id), channel, message_id
                    )
                except (Conflict, RuleViolated):
                    continue  # recorded before a crash: nothing to do
                recorded += 1
            self.outbox.mark_recorded(message_id, now=now)
        if recorded:
            self.read_side.catch_up()
        return recorded


def _item(row: NotificationRow) -> ReminderItem:
    r = row.reminder
    return ReminderItem(
        reminder_id=r.reminder_id,
        consortium_id=r.consortium_id,
        obligation_id=r.obligation_id,
        consortium_name=row.consortium_name,
        report_title=row.report_title,
        funder=row.funder,
        due_on=r.due_on,
        escalation=r.escalation,
        about=row.about,
    )
