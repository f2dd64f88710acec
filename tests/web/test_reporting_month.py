"""The month view of the reporting calendar, per consortium and across consortia."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from tests.web.conftest import World, login, post
from tests.web.test_reporting_pages import schedule_once


def cell(page: str, day: str) -> str:
    """The inside of the grid cell of ``day`` (ISO), which must be there."""
    match = re.search(
        rf'<td data-day="{day}"(?P<attributes>[^>]*)>(?P<inside>.*?)</td>',
        page,
        re.DOTALL,
    )
    assert match is not None, f"no cell for {day}"
    return match.group("attributes") + match.group("inside")


def test_deadlines_land_in_their_day_with_their_status(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["pilot"])
    first = schedule_once(client, world, "2037-11-05", "Activity report")
    schedule_once(client, world, "2037-11-05", "Financial statement")
    schedule_once(client, world, "2037-12-01", "Final report")
    post(client, first + "/draft", {"text": "Done"})
    post(client, first + "/submit")
    url = f"/consortia/{world.consortium_id}/reporting?view=month&month=2037-11"

    page = client.get(url).text

    fifth = cell(page, "2037-11-05")
    assert f'href="{first}">Activity report</a>' in fifth
    assert "Submitted" in fifth
    assert "Financial statement" in fifth
    assert "To write" in fifth
    december = cell(page, "2037-12-01")  # the last row borrows from December
    assert 'class="other-month"' in december
    assert "Final report" in december
    assert "Final report" not in cell(page, "2037-11-01")
    assert '<caption id="month-caption">November 2037</caption>' in page
    headers = re.findall(r'<th scope="col">.*?visually-hidden">(\w+)<', page)
    assert headers == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    assert "No report is due in" not in page


def test_accepted_changes_requested_and_overdue_show_in_the_cell(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["pilot"])
    today = datetime.now(UTC).date()
    day = today.replace(day=1).isoformat()
    late = schedule_once(client, world, day, "Late report") if today.day > 1 else None
    accepted = schedule_once(client, world, "2037-03-10", "Accepted report")
    sent_back = schedule_once(client, world, "2037-03-20", "Sent back report")
    for url in (accepted, sent_back):
        post(client, url + "/draft", {"text": "Text"})
        post(client, url + "/submit")
    login(client, world.emails["financer"])
    post(client, accepted + "/review", {"decision": "accept", "comment": ""})
    post(client, sent_back + "/review", {"decision": "changes", "comment": "More"})
    base = f"/consortia/{world.consortium_id}/reporting?view=month"

    march = client.get(base + "&month=2037-03").text
    this_month = client.get(base).text

    assert "Accepted" in cell(march, "2037-03-10")
    assert "status-accepted" in cell(march, "2037-03-10")
    assert "Changes requested" in cell(march, "2037-03-20")
    assert 'aria-current="date"' in cell(this_month, today.isoformat())
    assert this_month.count('aria-current="date"') == 1
    if late is not None:
        assert "overdue" in cell(this_month, day)
        assert "status-overdue" in cell(this_month, day)


def test_previous_and_next_months_are_links_in_the_query_string(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["member"])
    base = f"/consortia/{world.consortium_id}/reporting"

    january = client.get(base + "?view=month&month=2037-01").text

    assert f'href="{base}?view=month&amp;month=2036-12" rel="prev"' in january
    assert "December 2036" in january
    assert f'href="{base}?view=month&amp;month=2037-02" rel="next"' in january
    assert f'href="{base}?view=month">This month</a>' in january
    assert f'href="{base}?view=list">List</a>' in january
    assert re.search(r'month=2037-01" aria-current="page">Month</a>', january)


def test_the_list_stays_the_default_and_links_to_the_month(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    schedule_once(client, world, "2037-11-05")

    page = client.get(f"/consortia/{world.consortium_id}/reporting").text

    assert "month-grid" not in page
    assert 'view=list" aria-current="page">List</a>' in page
    assert f'href="/consortia/{world.consortium_id}/reporting?view=month">' in page


def test_a_month_without_deadline_says_so(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])
    schedule_once(client, world, "2037-11-01")

    page = client.get(
        f"/consortia/{world.consortium_id}/reporting?view=month&month=2037-10"
    ).text

    assert "No report is due in October 2037." in page
    assert "month-grid" in page
    assert "Activity report" in cell(page, "2037-11-01")  # borrowed November day


@pytest.mark.parametrize(
    "month", ["2026-13", "2026-1", "nov", "0000-01", "99999-01", "2026-11-01", "%00"]
)
def test_a_bad_month_is_a_clear_400(
    client: TestClient, world: World, month: str
) -> None:
    login(client, world.emails["coordinator"])

    for path in (f"/consortia/{world.consortium_id}/reporting", "/calendar"):
        response = client.get(path, params={"view": "month", "month": month})
        assert response.status_code == 400
        assert "Choose a month written as year-month" in response.text
        assert "Traceback" not in response.text


def test_a_bad_month_in_a_list_or_a_form_post_is_ignored(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    url = f"/consortia/{world.consortium_id}/reporting"

    listed = client.get(url, params={"view": "list", "month": "nope"})
    refused = post(client, url + "?view=month&month=nope", {"funder": ""})

    assert listed.status_code == 200
    assert refused.status_code == 422


def test_my_deadlines_by_month_across_consortia(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    url = schedule_once(client, world, "2037-11-05", "Financial statement")

    page = client.get("/calendar", params={"view": "month", "month": "2037-11"}).text
    empty = client.get("/calendar", params={"view": "month", "month": "2037-09"}).text

    fifth = cell(page, "2037-11-05")
    assert f'href="{url}">Financial statement</a>' in fifth
    assert "Inclusion Numérique" in fifth
    assert 'href="/calendar?view=month&amp;month=2037-12" rel="next"' in page
    assert "No report is due in September 2037." in empty


def test_the_month_view_speaks_french_monday_first(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    schedule_once(client, world, "2037-11-05")
    client.cookies.set("lang", "fr")

    page = client.get(
        f"/consortia/{world.consortium_id}/reporting?view=month&month=2037-11"
    ).text

    headers = re.findall(r'<th scope="col">.*?visually-hidden">(\w+)<', page)
    assert headers[0] == "lundi"
    assert headers[-1] == "dimanche"
    assert "Novembre 2037" in page
    assert "Octobre 2037" in page
    assert ">Mois</a>" in page
    assert ">Liste</a>" in page


def test_switching_language_stays_on_the_month_shown(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    page = client.get("/calendar?view=month&month=2037-11").text
    match = re.search(r'<input type="hidden" name="next" value="([^"]+)">', page)
    assert match is not None

    switched = post(
        client,
        "/language",
        {"language": "fr", "next": match.group(1).replace("&amp;", "&")},
    )

    assert switched.status_code == 303
    assert switched.headers["location"] == "/calendar?view=month&month=2037-11"
    assert "Novembre 2037" in client.get(switched.headers["location"]).text
