"""Reporting pages: the calendar, a report's life, and the iCalendar feed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from starlette.testclient import TestClient

from tests.web.conftest import World, csrf, event_count, login, post

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


def schedule_once(
    client: TestClient, world: World, due_on: str, title: str = "Activity report"
) -> str:
    response = post(
        client,
        f"/consortia/{world.consortium_id}/reporting",
        {
            "funder": "Banque fictive",
            "title": title,
            "kind": "activity_report",
            "mode": "once",
            "due_on": due_on,
        },
    )
    assert response.status_code == 303, response.text
    page = client.get(f"/consortia/{world.consortium_id}/reporting").text
    match = re.search(r'href="(/consortia/[^"]+/reports/[0-9a-f-]{36})">' + title, page)
    assert match is not None
    return match.group(1)


def test_the_pilot_team_schedules_periodic_reports(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["pilot"])

    response = post(
        client,
        f"/consortia/{world.consortium_id}/reporting",
        {
            "funder": "Région",
            "title": "Rapport semestriel",
            "kind": "activity_report",
            "mode": "periodic",
            "first_period_start": "2026-01-01",
            "every_months": "6",
            "due_days": "30",
            "count": "3",
        },
    )

    assert response.status_code == 303
    page = client.get(f"/consortia/{world.consortium_id}/reporting").text
    assert page.count("Rapport semestriel") == 3
    assert "31 July 2026" not in page  # due dates are shown short
    # 30 days after the first period ends on 30 June, day before month, never "7/30/26"
    assert "30/07/2026" in page
    assert "7/30/26" not in page


def test_bad_schedules_come_back_and_record_nothing(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    before = event_count(client)
    url = f"/consortia/{world.consortium_id}/reporting"

    no_date = post(
        client,
        url,
        {"funder": "B", "title": "T", "kind": "final_report", "mode": "once"},
        htmx=True,
    )
    too_many = post(
        client,
        url,
        {
            "funder": "B",
            "title": "T",
            "kind": "final_report",
            "mode": "periodic",
            "first_period_start": "2026-01-01",
            "every_months": "6",
            "due_days": "30",
            "count": "99",
        },
    )

    assert no_date.status_code == too_many.status_code == 422
    assert "This field is required." in no_date.text
    assert "Enter a whole number." in too_many.text
    assert event_count(client) == before


def test_members_and_financers_do_not_schedule(
    client: TestClient, world: World
) -> None:
    for role in ("member", "financer"):
        login(client, world.emails[role])
        response = post(
            client,
            f"/consortia/{world.consortium_id}/reporting",
            {
                "funder": "B",
                "title": "T",
                "kind": "final_report",
                "mode": "once",
                "due_on": "2026-12-01",
            },
        )
        assert response.status_code == 403


def test_a_report_is_drafted_submitted_sent_back_and_accepted(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["pilot"])
    url = schedule_once(client, world, "2026-12-01")

    drafted = client.post(
        url + "/draft",
        data={"text": "Six months of mediation.", "csrf_token": csrf(client)},
        files={"attachment": ("annexe.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    submitted = post(client, url + "/submit")
    login(client, world.emails["financer"])
    refused_empty = post(
        client, url + "/review", {"decision": "changes", "comment": ""}
    )
    sent_back = post(
        client, url + "/review", {"decision": "changes", "comment": "Add the figures."}
    )
    login(client, world.emails["pilot"])
    post(client, url + "/draft", {"text": "Six months of mediation, with figures."})
    post(client, url + "/submit")
    login(client, world.emails["financer"])
    accepted = post(client, url + "/review", {"decision": "accept", "comment": "OK"})

    assert drafted.status_code == submitted.status_code == 303
    assert refused_empty.status_code == 422
    assert "Say what should change." in refused_empty.text
    assert sent_back.status_code == accepted.status_code == 303
    page = client.get(url).text
    assert "Accepted" in page
    assert "requested changes" in page
    assert "Add the figures." in page
    assert "annexe.pdf" in page


def test_a_financer_cannot_write_and_a_pilot_team_cannot_review(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["pilot"])
    url = schedule_once(client, world, "2026-12-01")
    post(client, url + "/draft", {"text": "Draft"})
    post(client, url + "/submit")

    review = post(client, url + "/review", {"decision": "accept", "comment": ""})
    login(client, world.emails["financer"])
    write = post(client, url + "/draft", {"text": "Rewritten"})

    assert review.status_code == write.status_code == 403


def test_a_past_deadline_shows_overdue_until_submitted(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    url = schedule_once(client, world, yesterday, "Late report")

    late = client.get(f"/consortia/{world.consortium_id}/reporting").text
    post(client, url + "/draft", {"text": "Finally"})
    post(client, url + "/submit")
    done = client.get(f"/consortia/{world.consortium_id}/reporting").text

    assert 'class="flag">overdue' in late
    assert 'class="flag">overdue' not in done


def test_my_deadlines_and_the_icalendar_feed(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])
    url = schedule_once(client, world, "2026-12-01", "Financial statement")

    page = client.get("/calendar").text
    post(client, "/calendar/feed")
    made = client.get("/calendar")  # the address, after the redirect
    feed_url = re.search(r"https?://[^<\s]+/calendar/[A-Za-z0-9_-]+\.ics", made.text)
    assert feed_url is not None
    client.cookies.clear()  # calendar applications send no cookie
    feed = client.get("/calendar/" + feed_url.group(0).rsplit("/", 1)[1])

    assert "Financial statement" in page
    assert "Inclusion Numérique" in page
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(feed.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    assert str(events[0]["SUMMARY"]).startswith("Financial statement due to")
    assert events[0].decoded("DTSTART").isoformat() == "2026-12-01"
    assert url.rsplit("/", 1)[1] in str(events[0]["URL"])


def test_a_renewed_feed_address_ends_the_old_one(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    post(client, "/calendar/feed")
    first = re.search(r"/calendar/([A-Za-z0-9_-]+)\.ics", client.get("/calendar").text)
    post(client, "/calendar/feed")
    second = re.search(r"/calendar/([A-Za-z0-9_-]+)\.ics", client.get("/calendar").text)
    assert first is not None
    assert second is not None

    assert client.get(f"/calendar/{first.group(1)}.ics").status_code == 404
    assert client.get(f"/calendar/{second.group(1)}.ics").status_code == 200
    assert client.get("/calendar/guess.ics").status_code == 404
