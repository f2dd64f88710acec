"""The history as the audit trail: every kind of event in words, narrowed by area,
partner, person and period, linked to what it changed, and exported (CSV, JSON
Lines, Excel) with the same filters."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from openpyxl import load_workbook
from sqlalchemy import select
from starlette.testclient import TestClient

from governance.actor import Actor
from governance.reminder import Reminder
from governance.values import Motion, ReminderChannel, ReportKind
from governance.voting import DEFAULT_OPTIONS, FOR, VotingRule
from projections.reporting import obligations
from tests.web.conftest import World, login, stores_of


def history_url(world: World, query: str = "") -> str:
    return f"/consortia/{world.consortium_id}/history{query}"


def ids(client: TestClient, world: World) -> dict[str, str]:
    accounts = stores_of(client).accounts
    found = {}
    for role, email in world.emails.items():
        account = accounts.by_email(email)
        assert account is not None
        found[role] = account.account_id
    return found


def a_lived_year(client: TestClient, world: World) -> dict[str, str]:
    """A body, a vote, a report through its life, an indicator and a reminder."""
    stores = stores_of(client)
    governance = stores.governance
    people = ids(client, world)
    coordinator = Actor(people["coordinator"])
    member = Actor(people["member"])
    pilot = Actor(people["pilot"])
    body = governance.establish_body(
        coordinator,
        world.consortium_id,
        name="COPIL",
        members={world.partner_id: 1},
        rule=VotingRule(),
    )
    proposal = governance.table_proposal(
        coordinator,
        world.consortium_id,
        body.id,
        Motion(
            "Charte <script>",
            "Adopter la charte.",
            DEFAULT_OPTIONS,
            "meeting",
            meeting_on=date(2026, 3, 2),
        ),
    )
    governance.cast_vote(member, UUID(proposal.id), world.partner_id, FOR)
    report = UUID(
        governance.schedule_report(
            coordinator,
            world.consortium_id,
            funder="Région",
            title="Bilan",
            kind=ReportKind.ACTIVITY_REPORT,
            responsible_id=people["pilot"],
            due_on=datetime.now(UTC).date() + timedelta(days=1),
        ).id
    )
    governance.request_reminder(report, -1, people["pilot"], 0)
    governance.draft_report(pilot, report, "Texte.")
    governance.submit_report(pilot, report)
    governance.set_reminder_schedule(coordinator, world.consortium_id, (10, 2))
    stores.read_side.catch_up()
    return {"proposal": proposal.id, "report": str(report), **people}


def test_decisions_reports_and_reminders_are_told_in_words_with_links(
    client: TestClient, world: World
) -> None:
    made = a_lived_year(client, world)
    login(client, world.emails["financer"])

    text = client.get(history_url(world, "?automatic=1")).text
    by_default = client.get(history_url(world)).text

    assert re.search("established the body “COPIL” with 1 member partner(?!s)", text)
    assert "reminded Pilot" not in by_default
    assert "submitted “Bilan” to the funder" in by_default
    assert "tabled “Charte &lt;script&gt;” before COPIL" in text
    assert "voted “For” for Partner Co on “Charte &lt;script&gt;”" in text
    assert "scheduled “Bilan”, due to Région on" in text
    # A report without a period is named by its due date (titles repeat).
    assert re.search(r"reminded Pilot of “Bilan” \(due on [^,]+, 1 day before\)", text)
    assert "submitted “Bilan” to the funder" in text
    assert "set the reminders to 10, 2 days before each deadline" in text
    assert "The scheduler</span>" in text
    proposal_link = f"/consortia/{world.consortium_id}/proposals/{made['proposal']}"
    report_link = f"/consortia/{world.consortium_id}/reports/{made['report']}"
    assert f'<a href="{proposal_link}">' in text
    assert f'<a href="{report_link}">submitted' in text
    assert "<script>" not in text.split("<main")[1]


def test_the_trail_narrows_by_area_partner_person_and_period(
    client: TestClient, world: World
) -> None:
    made = a_lived_year(client, world)
    login(client, world.emails["coordinator"])

    decisions = client.get(history_url(world, "?area=decisions")).text
    partner = client.get(history_url(world, f"?partner={world.partner_id}")).text
    by_pilot = client.get(history_url(world, f"?person={made['pilot']}")).text
    tomorrow = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()
    future = client.get(history_url(world, f"?since={tomorrow}")).text
    nonsense = client.get(history_url(world, "?area=x&since=yesterday&until=13-13"))

    assert "tabled" in decisions
    assert "scheduled" not in decisions
    assert "voted “For” for Partner Co" in partner
    assert "admitted Partner Co" in partner
    assert "Lead Corp" not in partner.split('id="history-list"')[1]
    assert "submitted “Bilan”" in by_pilot
    assert "tabled" not in by_pilot
    assert "Nothing recorded matches these choices." in future
    assert nonsense.status_code == 200
    assert "founded" in nonsense.text


def test_exports_carry_the_filtered_trail_in_three_formats(
    client: TestClient, world: World
) -> None:
    a_lived_year(client, world)
    login(client, world.emails["financer"])

    as_csv = client.get(history_url(world, ".csv?area=reporting"))
    as_jsonl = client.get(history_url(world, ".jsonl"))
    as_xlsx = client.get(history_url(world, ".xlsx?area=decisions"))

    assert as_csv.status_code == 200
    assert "attachment" in as_csv.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(as_csv.text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Position", "Recorded at (UTC)", "Author"]
    kinds = {row[4] for row in rows[1:]}
    assert kinds >= {"report_scheduled", "reminder_requested", "report_submitted"}
    assert "proposal_tabled" not in kinds
    lines = [json.loads(line) for line in as_jsonl.text.splitlines()]
    positions = [line["position"] for line in lines]
    assert positions == sorted(positions)
    assert lines[0]["kind"] == "founded"
    assert {"position", "actor_id", "kind", "params", "sentence"} <= set(lines[0])
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Position"
    assert {row[4] for row in values[1:]} >= {"proposal_tabled", "vote_cast"}


def test_a_formula_in_a_title_is_neutralised_in_the_csv(
    client: TestClient, world: World
) -> None:
    stores = stores_of(client)
    coordinator = Actor(ids(client, world)["coordinator"])
    stores.governance.schedule_report(
        coordinator,
        world.consortium_id,
        funder='=HYPERLINK("http://evil","x")',
        title="=1+1",
        kind=ReportKind.ACTIVITY_REPORT,
        responsible_id=None,
        due_on=date(2027, 1, 1),
    )
    stores.read_side.catch_up()
    login(client, world.emails["coordinator"])

    text = client.get(history_url(world, ".csv")).text

    for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))):
        assert not any(cell.startswith(("=", "+", "@")) for cell in row)


def test_outsiders_see_no_trail_and_no_export(client: TestClient, world: World) -> None:
    login(client, world.emails["outsider"])

    for suffix in ("", ".csv", ".jsonl", ".xlsx"):
        assert client.get(history_url(world, suffix)).status_code == 404


def test_the_first_and_last_days_a_date_holds_narrow_nothing_on_the_page_and_exports(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    everything = client.get(history_url(world, ".jsonl")).text.splitlines()
    extremes = [
        "?since=0001-01-01",
        "?until=9999-12-31",
        "?since=0001-01-01&until=9999-12-31",
        "?since=0001-01-02&until=9999-12-30",
    ]

    answers = {
        suffix + query: client.get(history_url(world, suffix + query))
        for suffix in ("", ".csv", ".jsonl", ".xlsx")
        for query in extremes
    }
    answers["pack"] = client.get(
        f"/consortia/{world.consortium_id}/audit-pack.zip?since=0001-01-01"
        "&until=9999-12-31"
    )
    nothing_yet = client.get(history_url(world, ".jsonl?until=0001-01-01"))
    nothing_left = client.get(history_url(world, ".jsonl?since=9999-12-31"))

    refused = {url: r.status_code for url, r in answers.items() if r.status_code != 200}
    assert refused == {}
    assert "founded the consortium" in answers["?since=0001-01-01"].text
    for query in extremes:
        assert answers[".jsonl" + query].text.splitlines() == everything
    assert nothing_yet.status_code == nothing_left.status_code == 200
    assert nothing_yet.text == nothing_left.text == ""


# -- notify: a reminder's line names its report's period ------------------------------


def test_reminder_lines_of_reports_sharing_a_title_name_each_period(
    client: TestClient, world: World
) -> None:
    stores = stores_of(client)
    governance = stores.governance
    people = ids(client, world)
    governance.schedule_periodic_reports(
        Actor(people["coordinator"]),
        world.consortium_id,
        funder="Région",
        title="Rapport d'activité",
        kind=ReportKind.ACTIVITY_REPORT,
        responsible_id=people["pilot"],
        first_period_start=date(2026, 1, 1),
        every_months=6,
        due_days=30,
        count=3,
    )
    stores.read_side.catch_up()
    with stores.read_side.engine.connect() as connection:
        reports = connection.execute(
            select(obligations.c.obligation_id, obligations.c.due_on)
        ).all()
    for report, due_on in reports:
        governance.request_reminder(UUID(report), -1, people["pilot"], 0)
        reminder = Reminder.create_id(report, due_on, -1, people["pilot"])
        governance.record_reminder_sent(reminder, ReminderChannel.EMAIL, "<r@x>")
    stores.read_side.catch_up()
    login(client, world.emails["coordinator"])

    text = client.get(history_url(world, "?automatic=1")).text

    title = "“Rapport d&#39;activité”"
    for start, end in (
        ("1 January 2026", "30 June 2026"),
        ("1 July 2026", "31 December 2026"),
        ("1 January 2027", "30 June 2027"),
    ):
        period = f"period {start} to {end}"
        assert f"of {title} ({period}, 1 day before)" in text
        assert f"sent the reminder of {title} ({period}) by e-mail" in text
