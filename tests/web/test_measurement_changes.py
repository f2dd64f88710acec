"""Measurements corrected or withdrawn with a reason, kept in the history; a value
far from what the indicator plans is warned about before it is recorded; the small
chart has its dates and values (issue 17, §3), on both backends."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from tests.web.conftest import World, event_count, login, post
from tests.web.test_indicator_pages import define
from tests.web.test_member_pages import elsewhere


def measured(client: TestClient, world: World, value: str = "250") -> str:
    """People helped (0 to 1,000), measured once by the pilot team; its page."""
    login(client, world.emails["pilot"])
    define(client, world)
    page = client.get(f"/consortia/{world.consortium_id}/indicators").text
    found = re.search(
        r'action="(/consortia/[^"]+/indicators/[0-9a-f-]+/measure)"', page
    )
    assert found is not None
    answer = post(
        client,
        found.group(1),
        {"value": value, "on": "2026-03-01", "source": "Sign-in sheets"},
    )
    assert answer.status_code == 303
    return client.get(f"/consortia/{world.consortium_id}/indicators").text


def value_page(page: str) -> str:
    """The address of the first value's own page, linked from the indicators page."""
    found = re.search(r'href="([^"]+/measurements/[0-9a-f-]+)"', page)
    assert found is not None, page
    return found.group(1)


def action(page: str, what: str) -> str:
    """The address the value's ``what`` form posts to, on the value's own page."""
    found = re.search(rf'action="([^"]+/measurements/[0-9a-f-]+/{what})"', page)
    assert found is not None, page
    return found.group(1)


def changes(client: TestClient, page: str) -> tuple[str, str]:
    """The correct and withdraw addresses of the indicators page's first value."""
    shown = client.get(value_page(page))
    assert shown.status_code == 200
    return action(shown.text, "correct"), action(shown.text, "withdraw")


def test_a_measurement_is_corrected_with_a_reason_and_the_original_stays_in_history(
    client: TestClient, world: World
) -> None:
    page = measured(client, world, "205")
    before = event_count(client)

    corrected = post(
        client,
        changes(client, page)[0],
        {
            "value": "250",
            "on": "2026-03-01",
            "source": "Sign-in sheets",
            "reason": "Two sheets were missed",
        },
    )

    assert corrected.status_code == 303
    assert event_count(client) == before + 1
    page = client.get(f"/consortia/{world.consortium_id}/indicators").text
    assert "250 people" in page
    assert "205 people" not in page
    history = client.get(f"/consortia/{world.consortium_id}/history").text
    assert "measured “People helped”: 205 on 1 March 2026" in history
    assert (
        "corrected a value of “People helped” to 250 on 1 March 2026 "
        "(Sign-in sheets): Two sheets were missed" in history
    )


def test_a_measurement_is_withdrawn_with_a_reason(
    client: TestClient, world: World
) -> None:
    page = measured(client, world)
    url = changes(client, page)[1]
    before = event_count(client)

    without_reason = post(client, url, {"reason": " "})
    withdrawn = post(client, url, {"reason": "Counted twice"})
    again = post(client, url, {"reason": "Counted twice"})

    assert without_reason.status_code == 422
    assert "This field is required." in without_reason.text
    assert withdrawn.status_code == 303
    assert again.status_code == 422
    assert "This value was withdrawn already." in again.text
    assert event_count(client) == before + 1
    page = client.get(f"/consortia/{world.consortium_id}/indicators").text
    assert "Not measured yet." in page
    history = client.get(f"/consortia/{world.consortium_id}/history").text
    assert "withdrew a value of “People helped”: Counted twice" in history


def test_a_value_far_beyond_the_target_is_warned_about_then_recorded_once_confirmed(
    client: TestClient, world: World
) -> None:
    page = measured(client, world)
    found = re.search(r'action="([^"]+/measure)"', page)
    assert found is not None
    six_times = {"value": "6000", "on": "2026-06-01", "source": "Survey"}
    before = event_count(client)

    warned = post(client, found.group(1), six_times)
    confirmed = post(client, found.group(1), {**six_times, "confirm_value": "yes"})

    assert warned.status_code == 422
    assert (
        "6,000 people is more than three times as far from the baseline as the "
        "target (from 0 to 1,000)" in warned.text
    )
    assert 'name="confirm_value"' in warned.text
    assert 'value="6000"' in warned.text
    assert confirmed.status_code == 303
    assert event_count(client) == before + 1


def test_a_jump_from_the_previous_value_and_a_far_correction_are_warned_about(
    client: TestClient, world: World
) -> None:
    page = measured(client, world)
    found = re.search(r'action="([^"]+/measure)"', page)
    assert found is not None
    before = event_count(client)

    jump = post(
        client,
        found.group(1),
        {"value": "2900", "on": "2026-06-01", "source": "Survey"},
    )
    far = post(
        client,
        changes(client, page)[0],
        {
            "value": "6000",
            "on": "2026-03-01",
            "source": "Sign-in sheets",
            "reason": "Recount",
        },
    )

    assert jump.status_code == far.status_code == 422
    assert (
        "2,900 people differs from the previous value (250 on 1 March 2026) by more "
        "than twice the whole change planned" in jump.text
    )
    assert "6,000 people is more than three times as far" in far.text
    assert 'name="confirm_value"' in far.text
    assert event_count(client) == before


def test_the_small_chart_has_dates_and_values_in_words(
    client: TestClient, world: World
) -> None:
    page = measured(client, world)
    found = re.search(r'action="([^"]+/measure)"', page)
    assert found is not None
    post(
        client,
        found.group(1),
        {"value": "400", "on": "2026-06-01", "source": "Sign-in sheets"},
    )

    page = client.get(f"/consortia/{world.consortium_id}/indicators").text

    assert "<title>1 March 2026: 250 people</title>" in page
    assert "From 1 March 2026 (250) to 1 June 2026 (400); target 1,000" in page
    assert re.search(r"<td>1 June 2026</td><td class=\"num\">400 people</td>", page)


def test_only_those_who_report_correct_or_withdraw_a_measurement(
    client: TestClient, world: World
) -> None:
    page = measured(client, world)
    correct, withdraw = changes(client, page)
    before = event_count(client)

    answers = []
    for role in ("member", "financer"):
        login(client, world.emails[role])
        shown = client.get(f"/consortia/{world.consortium_id}/indicators").text
        assert "Correct or withdraw" not in shown
        answers.append(post(client, withdraw, {"reason": "No"}).status_code)
        answers.append(
            post(
                client,
                correct,
                {"value": "1", "on": "2026-03-01", "source": "x", "reason": "y"},
            ).status_code
        )
    login(client, world.emails["outsider"])
    answers.append(post(client, withdraw, {"reason": "No"}).status_code)

    assert answers == [403, 403, 403, 403, 404]
    assert event_count(client) == before


def test_the_indicators_page_links_each_value_to_its_page_and_holds_no_form_per_value(
    client: TestClient, world: World
) -> None:
    page = measured(client, world)
    forms_for_one = page.count("<form")
    measure = re.search(r'action="([^"]+/measure)"', page)
    assert measure is not None
    for value, on in (("300", "2026-04-01"), ("350", "2026-05-01")):
        post(client, measure.group(1), {"value": value, "on": on, "source": "Sheets"})

    page = client.get(f"/consortia/{world.consortium_id}/indicators").text

    assert page.count("<form") == forms_for_one
    assert "/correct" not in page
    assert "/withdraw" not in page
    links = re.findall(r'href="[^"]+/measurements/[0-9a-f-]+">([^<]+)<span', page)
    assert links == ["Correct or withdraw"] * 3
    # Each link names its value for a screen reader: the date, hidden from sight.
    assert '<span class="visually-hidden"> the value of 1 April 2026</span></a>' in page


def test_a_values_page_shows_it_with_its_forms_and_a_change_returns_to_the_indicators(
    client: TestClient, world: World
) -> None:
    page = measured(client, world, "205")
    address = value_page(page)

    shown = client.get(address)
    corrected = post(
        client,
        action(shown.text, "correct"),
        {
            "value": "250",
            "on": "2026-03-01",
            "source": "Sign-in sheets",
            "reason": "Two sheets were missed",
        },
    )

    assert shown.status_code == 200
    assert "<h1>People helped: the value of 1 March 2026</h1>" in shown.text
    assert "<strong>205 people</strong>" in shown.text
    assert 'id="c-value" name="value" type="text" value="205"' in shown.text
    assert 'value="Sign-in sheets"' in shown.text
    assert corrected.status_code == 303
    assert corrected.headers["location"].endswith(
        f"/consortia/{world.consortium_id}/indicators"
    )
    assert "<strong>250 people</strong>" in client.get(address).text


def test_a_refused_correction_comes_back_on_the_values_page_with_what_was_typed(
    client: TestClient, world: World
) -> None:
    page = measured(client, world)
    correct, withdraw = changes(client, page)
    before = event_count(client)

    no_reason = post(
        client,
        correct,
        {"value": "260", "on": "2026-03-01", "source": "Recount", "reason": ""},
    )
    no_withdrawal_reason = post(client, withdraw, {"reason": ""})

    for refused in (no_reason, no_withdrawal_reason):
        assert refused.status_code == 422
        assert "<h1>People helped: the value of 1 March 2026</h1>" in refused.text
        assert "This field is required." in refused.text
    assert 'value="260"' in no_reason.text
    assert 'value="Recount"' in no_reason.text
    # The other form is as it was: the value's own figures.
    assert 'id="c-value" name="value" type="text" value="250"' in (
        no_withdrawal_reason.text
    )
    assert event_count(client) == before


def test_a_withdrawn_value_or_another_consortiums_has_no_page_here(
    client: TestClient, world: World
) -> None:
    page = measured(client, world)
    address = value_page(page)
    # The outsider's own consortium measures an indicator of its own.
    other = elsewhere(client, world)
    login(client, world.emails["outsider"])
    define_in = f"/consortia/{other}/indicators"
    defined = post(
        client,
        define_in,
        {
            "name": "Ailleurs",
            "unit": "lieux",
            "baseline": "0",
            "target": "10",
            "target_on": "2027-06-30",
            "measured_by": "",
        },
    )
    assert defined.status_code == 303
    theirs = client.get(define_in).text
    measure = re.search(r'action="([^"]+/measure)"', theirs)
    assert measure is not None
    post(client, measure.group(1), {"value": "3", "on": "2026-03-01", "source": "x"})
    foreign = value_page(client.get(define_in).text)
    assert client.get(foreign).status_code == 200
    borrowed = foreign.replace(
        f"/consortia/{other}/", f"/consortia/{world.consortium_id}/"
    )
    login(client, world.emails["pilot"])
    before = event_count(client)

    answers = [
        client.get(foreign).status_code,
        client.get(borrowed).status_code,
        post(
            client,
            borrowed + "/correct",
            {"value": "4", "on": "2026-03-01", "source": "y", "reason": "z"},
        ).status_code,
        post(client, borrowed + "/withdraw", {"reason": "z"}).status_code,
        client.get(address[: address.rindex("/") + 1] + "not-a-value").status_code,
    ]
    withdrawn = post(client, changes(client, page)[1], {"reason": "Counted twice"})

    assert answers == [404, 404, 404, 404, 404]
    assert withdrawn.status_code == 303
    assert client.get(address).status_code == 404
    assert event_count(client) == before + 1
