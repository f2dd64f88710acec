"""The history names a statement's reminder by its report and partner, whatever the
batch: the reports and partners it looks among are read once per batch and kept up
to date as the batch schedules reports and admits partners."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from governance.actor import Actor
from governance.application import Governance
from projections.history.tables import history
from projections.runtime import ReadSide
from tests.support.builders import (
    a_partner_identity,
    admitted_partner,
    founded_consortium,
    scheduled_report,
)
from tests.support.statements import statements_sent


def statement_reminders(read_side: ReadSide) -> list[tuple[str, str, str]]:
    with read_side.engine.connect() as connection:
        rows = connection.execute(
            select(history.c.about_id, history.c.params)
            .where(history.c.kind == "statement_reminder_requested")
            .order_by(history.c.position)
        )
        return [
            (r.about_id, json.loads(r.params)["partner"], json.loads(r.params)["title"])
            for r in rows
        ]


def test_reminders_of_statements_name_reports_and_partners_added_in_the_same_batch(
    app: Governance, read_side: ReadSide, coordinator: Actor
) -> None:
    cid = founded_consortium(app, coordinator)
    fabrique = admitted_partner(app, coordinator, cid)
    summer = scheduled_report(app, coordinator, cid, due_on=date(2026, 7, 31))
    app.request_statement_reminder(cid, summer, fabrique, -7, coordinator.account_id, 0)
    # After the first reminder (its lookup made): another partner, another report
    atelier = admitted_partner(
        app, coordinator, cid, a_partner_identity(name="Atelier du Lien")
    )
    winter = scheduled_report(
        app, coordinator, cid, due_on=date(2026, 12, 31), title="Second semestre"
    )
    app.request_statement_reminder(cid, winter, atelier, -7, coordinator.account_id, 0)
    app.request_statement_reminder(cid, summer, atelier, -7, coordinator.account_id, 0)

    read_side.catch_up()  # one batch: every event above

    assert statement_reminders(read_side) == [
        (
            str(summer),
            "Tiers-lieu La Fabrique",
            "Rapport d'activité du premier semestre",
        ),
        (str(winter), "Atelier du Lien", "Second semestre"),
        (str(summer), "Atelier du Lien", "Rapport d'activité du premier semestre"),
    ]


# The tables a reminder's line is named from: the consortium's labels and reports,
# the work plan's items (is it a deliverable?) and the reports' periods.
LOOKED_UP = (
    "history_labels",
    "history_workplan_items",
    "history_report_periods",
    "consortium_history",
)


def lookups_of_one_batch(read_side: ReadSide) -> list[str]:
    """The reads of the reminders' tables while the read side catches up (one batch)."""
    with statements_sent(read_side.writer) as sent:
        read_side.catch_up()
    return [
        s
        for s in sent
        if s.upper().startswith("SELECT") and any(t in s for t in LOOKED_UP)
    ]


def test_a_batch_names_its_reminders_in_as_many_reads_however_many_they_are(
    app: Governance, read_side: ReadSide, coordinator: Actor
) -> None:
    def remind_of(reports: int) -> list[str]:
        cid = founded_consortium(app, coordinator)
        partner = admitted_partner(app, coordinator, cid)
        due = [
            scheduled_report(
                app, coordinator, cid, due_on=date(2026, 7, 1 + n), title=f"R{n}"
            )
            for n in range(reports)
        ]
        read_side.catch_up()
        for report in due:  # each a report of its own: no look-up repeated
            app.request_reminder(report, -7, coordinator.account_id, 0)
            app.request_statement_reminder(
                cid, report, partner, -7, coordinator.account_id, 0
            )
        return lookups_of_one_batch(read_side)

    few, many = remind_of(2), remind_of(8)

    # Loaded for the whole batch before it (``HistoryProjection.prepare`` and
    # ``lookups``), not asked reminder by reminder.
    assert len(many) == len(few) <= len(LOOKED_UP)
    with read_side.engine.connect() as connection:
        kinds = [
            r.kind
            for r in connection.execute(
                select(history.c.kind).where(history.c.kind.like("%reminder%"))
            )
        ]
    assert kinds.count("reminder_requested") == 10
    assert kinds.count("statement_reminder_requested") == 10
