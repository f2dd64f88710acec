"""The work plan through the pages: each role, English and French, late items told
in words, a deliverable submitted, sent back and accepted, bad input refused with a
clear message and nothing stored."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar
from starlette.testclient import TestClient

from tests.support.files import age
from tests.web.conftest import World, csrf, event_count, login, post, stores_of
from tests.web.test_evidence_kept import secret_pdf
from web.ops.evidence_sweep import DEFAULT_GRACE, sweep_evidence
from web.settings import Settings

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
DELIVERABLE = re.compile(r'href="(/consortia/[^"]+/workplan/deliverables/[0-9a-f-]+)"')


def today_of(client: TestClient) -> date:
    """The application's today (its clock's)."""
    return stores_of(client).clock.now().date()


def workplan(world: World) -> str:
    return f"/consortia/{world.consortium_id}/workplan"


def a_package(world: World, **overrides: str) -> dict[str, str]:
    return {
        "code": "WP1",
        "title": "Coordination",
        "lead_id": world.lead_id,
        f"participant-{world.partner_id}": "on",
        **overrides,
    }


def package_id_of(client: TestClient, world: World) -> str:
    page = client.get(workplan(world)).text
    found = re.search(r'<option value="([0-9a-f-]{36})"[^>]*>WP1 – ', page)
    assert found, page
    return found.group(1)


def with_a_deliverable(
    client: TestClient, world: World, due_on: date, *, responsible: str = ""
) -> str:
    """The coordinator defines WP1 and plans a deliverable; its page's address."""
    login(client, world.emails["coordinator"])
    assert (
        post(client, workplan(world) + "/packages", a_package(world)).status_code == 303
    )
    planned = post(
        client,
        workplan(world) + "/deliverables",
        {
            "package_id": package_id_of(client, world),
            "title": "Étude de besoins",
            "due_on": due_on.isoformat(),
            "responsible_id": responsible or world.partner_id,
        },
    )
    assert planned.status_code == 303
    links = DELIVERABLE.findall(client.get(workplan(world)).text)
    assert len(links) == 1
    return links[0]


def submit(client: TestClient, url: str, name: str = "etude.pdf") -> object:
    return client.post(
        url + "/submit",
        data={"note": "Version 1", "csrf_token": csrf(client)},
        files={"file": (name, PDF, "application/pdf")},
        follow_redirects=False,
    )


def test_an_empty_work_plan_says_so_and_offers_the_coordinator_its_form(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    page = client.get(workplan(world))

    assert page.status_code == 200
    assert "No work package yet. Define the first one" in page.text
    assert "Define a work package" in page.text
    assert f'href="{workplan(world)}"' in page.text  # the consortium's menu


def test_others_read_an_empty_plan_without_its_forms(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["financer"])

    page = client.get(workplan(world))

    assert "No work plan yet: the coordinators have not drawn it up." in page.text
    assert "Define a work package" not in page.text


def test_a_package_shows_its_lead_participants_and_late_deliverable_in_words(
    client: TestClient, world: World
) -> None:
    today = today_of(client)
    with_a_deliverable(client, world, today - timedelta(days=3))

    page = client.get(workplan(world)).text

    assert "WP1 – Coordination" in page
    assert "Led by Lead Corp; with Partner Co" in page
    assert "Étude de besoins" in page
    assert "late: due 3 days ago" in page


def test_a_deliverable_due_soon_is_flagged(client: TestClient, world: World) -> None:
    with_a_deliverable(client, world, today_of(client) + timedelta(days=10))

    assert "due in 10 days" in client.get(workplan(world)).text


def test_the_french_page_speaks_french(client: TestClient, world: World) -> None:
    with_a_deliverable(client, world, today_of(client) - timedelta(days=2))
    client.cookies.set("lang", "fr")

    page = client.get(workplan(world)).text

    assert "Plan de travail" in page
    assert "Piloté par Lead Corp" in page
    assert "en retard" in page


def test_a_deliverable_is_submitted_sent_back_with_a_reason_and_accepted(
    client: TestClient, world: World
) -> None:
    url = with_a_deliverable(client, world, today_of(client) + timedelta(days=40))
    login(client, world.emails["member"])  # a member of the responsible partner

    first = submit(client, url)
    login(client, world.emails["financer"])
    no_reason = post(client, url + "/review", {"decision": "changes", "comment": ""})
    sent_back = post(
        client, url + "/review", {"decision": "changes", "comment": "Add the survey."}
    )
    login(client, world.emails["member"])
    again = submit(client, url, "etude-v2.pdf")
    login(client, world.emails["financer"])
    accepted = post(client, url + "/review", {"decision": "accept", "comment": "OK"})

    assert first.status_code == 303  # type: ignore[attr-defined]
    assert no_reason.status_code == 422
    assert "Say what needs to change." in no_reason.text
    assert sent_back.status_code == again.status_code == accepted.status_code == 303  # type: ignore[attr-defined]
    page = client.get(url).text
    assert "Accepted" in page
    assert "requested changes: Add the survey." in page
    assert "etude-v2.pdf" in page
    file_link = re.search(
        r'href="(/consortia/[^"]+/workplan/files/[0-9a-f]{64})"', page
    )
    assert file_link
    download = client.get(file_link.group(1))
    assert download.status_code == 200
    assert download.content == PDF


def test_a_member_of_another_partner_may_not_submit_and_nothing_is_stored(
    client: TestClient, world: World
) -> None:
    url = with_a_deliverable(
        client, world, today_of(client) + timedelta(days=40), responsible=world.lead_id
    )
    login(client, world.emails["member"])
    assert "Submit the deliverable" not in client.get(url).text
    before = event_count(client)
    content = secret_pdf("not theirs")

    refused = client.post(
        url + "/submit",
        data={"csrf_token": csrf(client)},
        files={"file": ("livrable.pdf", content, "application/pdf")},
    )

    assert refused.status_code == 403
    assert event_count(client) == before
    assert not stores_of(client).evidence.exists(hashlib.sha256(content).hexdigest())


def test_a_submission_without_a_file_is_refused_with_a_message(
    client: TestClient, world: World
) -> None:
    url = with_a_deliverable(client, world, today_of(client) + timedelta(days=40))
    before = event_count(client)

    refused = post(client, url + "/submit", {"note": "Here"})

    assert refused.status_code == 422
    assert "Attach the deliverable&#39;s file." in refused.text
    assert event_count(client) == before


def test_a_code_already_taken_is_refused_next_to_the_code(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    post(client, workplan(world) + "/packages", a_package(world))
    before = event_count(client)

    refused = post(
        client, workplan(world) + "/packages", a_package(world, code="wp1"), htmx=True
    )

    assert refused.status_code == 422
    assert "Another work package already has the code wp1." in refused.text
    assert 'id="p-code-error"' in refused.text
    assert event_count(client) == before


def test_a_package_is_changed_then_withdrawn(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])
    post(client, workplan(world) + "/packages", a_package(world))
    package_id = package_id_of(client, world)

    changed = post(
        client,
        f"{workplan(world)}/packages/{package_id}",
        a_package(world, title="Pilotage et coordination"),
    )
    assert changed.status_code == 303
    assert "WP1 – Pilotage et coordination" in client.get(workplan(world)).text

    withdrawn = post(client, f"{workplan(world)}/packages/{package_id}/withdraw")
    assert withdrawn.status_code == 303
    page = client.get(workplan(world)).text
    assert "Pilotage et coordination" not in page
    history = client.get(f"/consortia/{world.consortium_id}/history").text
    assert "withdrew the work package WP1 “Pilotage et coordination”" in history


def test_a_milestone_is_reached_with_a_note_not_in_the_future(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    post(client, workplan(world) + "/packages", a_package(world))
    planned = post(
        client,
        workplan(world) + "/milestones",
        {
            "package_id": package_id_of(client, world),
            "title": "Comité de lancement",
            "planned_on": (today_of(client) - timedelta(days=5)).isoformat(),
        },
    )
    assert planned.status_code == 303
    page = client.get(workplan(world)).text
    assert "late: not reached 5 days after its date" in page
    reach = re.search(r'action="([^"]+/milestones/[0-9a-f-]+/reached)"', page)
    assert reach
    before = event_count(client)

    future = post(
        client,
        reach.group(1),
        {"reached_on": (today_of(client) + timedelta(days=2)).isoformat(), "note": "x"},
    )
    nothing = post(client, reach.group(1), {"reached_on": today_of(client).isoformat()})
    assert future.status_code == nothing.status_code == 422
    assert "A milestone cannot be reached in the future." in future.text
    assert "Attach a file or write a note as evidence." in nothing.text
    assert event_count(client) == before

    reached = post(
        client,
        reach.group(1),
        {"reached_on": today_of(client).isoformat(), "note": "Tenu à la mairie."},
    )
    assert reached.status_code == 303
    assert "Tenu à la mairie." in client.get(workplan(world)).text


def test_the_financer_may_not_change_the_work_plan(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["financer"])
    before = event_count(client)

    refused = post(client, workplan(world) + "/packages", a_package(world))

    assert refused.status_code == 403
    assert event_count(client) == before


def test_a_deliverable_due_is_in_my_deadlines_and_my_calendar_feed(
    client: TestClient, world: World
) -> None:
    url = with_a_deliverable(client, world, today_of(client) + timedelta(days=12))
    login(client, world.emails["member"])

    deadlines = client.get("/calendar").text
    post(client, "/calendar/feed")
    made = client.get("/calendar")  # the address, after the redirect
    address = re.search(r"/calendar/[A-Za-z0-9_-]+\.ics", made.text)
    assert address is not None
    feed = Calendar.from_ical(client.get(address.group(0)).content)

    assert "Étude de besoins" in deadlines
    assert url in deadlines
    events = {str(e["summary"]): e for e in feed.walk("VEVENT")}
    due = events["Deliverable “Étude de besoins” due (Inclusion Numérique)"]
    assert due.decoded("dtstart") == today_of(client) + timedelta(days=12)
    assert str(due["url"]).endswith(url)


def test_an_accepted_deliverable_leaves_my_deadlines(
    client: TestClient, world: World
) -> None:
    url = with_a_deliverable(client, world, today_of(client) + timedelta(days=12))
    submit(client, url)
    login(client, world.emails["financer"])
    post(client, url + "/review", {"decision": "accept", "comment": ""})

    assert "No deliverable is due." in client.get("/calendar").text


def test_a_deliverable_late_by_one_day_says_day_in_the_singular(
    client: TestClient, world: World
) -> None:
    with_a_deliverable(client, world, today_of(client) - timedelta(days=1))

    page = client.get(workplan(world)).text
    client.cookies.set("lang", "fr")
    french = client.get(workplan(world)).text

    assert "late: due 1 day ago" in page
    assert "en retard\xa0: attendu depuis 1 jour<" in french


def test_the_files_of_deliverables_and_milestones_survive_the_evidence_sweep(
    client: TestClient, world: World, settings: Settings
) -> None:
    url = with_a_deliverable(client, world, today_of(client) + timedelta(days=40))
    handed_in = secret_pdf("livrable")
    client.post(
        url + "/submit",
        data={"csrf_token": csrf(client)},
        files={"file": ("livrable.pdf", handed_in, "application/pdf")},
    )
    post(
        client,
        workplan(world) + "/milestones",
        {
            "package_id": package_id_of(client, world),
            "title": "Lancement",
            "planned_on": today_of(client).isoformat(),
        },
    )
    reach = re.search(
        r'action="([^"]+/milestones/[0-9a-f-]+/reached)"',
        client.get(workplan(world)).text,
    )
    assert reach
    minutes = secret_pdf("compte-rendu")
    reached = client.post(
        reach.group(1),
        data={"reached_on": today_of(client).isoformat(), "csrf_token": csrf(client)},
        files={"evidence": ("cr.pdf", minutes, "application/pdf")},
        follow_redirects=False,
    )
    assert reached.status_code == 303
    evidence = stores_of(client).evidence
    for content in (handed_in, minutes):
        age(evidence, hashlib.sha256(content).hexdigest(), days=400)

    report = sweep_evidence(
        settings, evidence, now=datetime.now(UTC) + DEFAULT_GRACE + timedelta(hours=1)
    )

    assert report.removed == []
    assert report.referenced == 2
    page = client.get(workplan(world)).text
    link = re.search(r'href="([^"]+/workplan/files/[0-9a-f]{64})">cr.pdf', page)
    assert link
    assert client.get(link.group(1)).content == minutes


def test_a_package_shows_what_the_financing_plan_plans_under_its_code(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    post(client, workplan(world) + "/packages", a_package(world))
    for amount, code in (("1000", "WP1"), ("250.50", "wp1"), ("99", "WP2")):
        planned = post(
            client,
            f"/consortia/{world.consortium_id}/budget/expenses",
            {
                "partner_id": world.lead_id,
                "category": "travel",
                "label": "Déplacements",
                "amount": amount,
                "work_package": code,
            },
        )
        assert planned.status_code == 303

    page = client.get(workplan(world)).text

    assert "Planned expenses in the financing plan: €1,250.50" in page
