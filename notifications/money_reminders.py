"""The reminder pipeline's money deadlines: a partner's expense statement due with
a report, and a funding tranche ready to be paid (``projections.money_reminders``).

``money_deadlines`` gives the policy its deadlines, and for each one how to record
a reminder of it through the service (which checks, from the log, that it is still
due). A statement is reminded on its report's ladder to the members representing
the partner (then the coordinators, then the steering body, as a report). A tranche
is reminded to the consortium's financers from the day it is found ready: that
day, J+1, J+7, then every 14 days until J+84 (the overdue part of a report's
ladder: a payment that can be made and is not is late from the first day); the
audience stays the financers at every stage.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from sqlalchemy import Connection

from governance.application import Governance
from notifications.policy import Deadline, DueReminder
from projections.money_reminders import open_statement_deadlines, ready_tranches

Request = Callable[[DueReminder], object]


def money_deadlines(
    connection: Connection,
    governance: Governance,
    due_from: date,
    due_until: date,
    today: date,
    people: dict[str, tuple[tuple[str, ...], tuple[str, ...]]],
) -> tuple[list[Deadline], dict[str, Request]]:
    """The statements and tranches to remind of, and how to request each reminder.

    ``people``: each consortium's coordinators and steering members, as
    ``projections.reminders.audiences`` gives them (missing ones: nobody).
    """
    deadlines: list[Deadline] = []
    requests: dict[str, Request] = {}
    for s in open_statement_deadlines(connection, due_from, due_until):
        d = s.deadline
        deadlines.append(
            Deadline(
                d.obligation_id,
                d.consortium_id,
                d.due_on,
                d.days_before,
                None,
                *people.get(d.consortium_id, ((), ())),
                responsible_ids=s.members,
            )
        )
        requests[d.obligation_id] = _statement_request(
            governance, d.consortium_id, s.report_id, s.partner_id
        )
    for t in ready_tranches(connection, today):
        d = t.deadline
        if not t.financers:
            continue  # nobody to tell: no coordinator stands in for the funder
        deadlines.append(
            Deadline(
                d.obligation_id,
                d.consortium_id,
                d.due_on,
                (),
                None,
                (),
                (),
                responsible_ids=t.financers,
            )
        )
        requests[d.obligation_id] = _tranche_request(
            governance, d.consortium_id, d.obligation_id, t.counted
        )
    return deadlines, requests


def _statement_request(
    governance: Governance, consortium_id: str, report_id: str, partner_id: str
) -> Request:
    def request(reminder: DueReminder) -> object:
        return governance.request_statement_reminder(
            UUID(consortium_id),
            UUID(report_id),
            partner_id,
            reminder.stage,
            reminder.recipient_id,
            reminder.escalation,
        )

    return request


def _tranche_request(
    governance: Governance,
    consortium_id: str,
    tranche_id: str,
    counted: tuple[str, ...],
) -> Request:
    def request(reminder: DueReminder) -> object:
        return governance.request_tranche_reminder(
            UUID(consortium_id),
            tranche_id,
            reminder.due_on,
            reminder.stage,
            reminder.recipient_id,
            reminder.escalation,
            tuple(UUID(r) for r in counted),
        )

    return request
