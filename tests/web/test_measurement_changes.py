"""Measurements corrected or withdrawn with a reason, kept in the history; a value
far from what the indicator plans is warned about before it is recorded; the small
chart has its dates and values (issue 17, §3), on both backends."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from tests.web.conftest import World, event_count, login, post
from tests.web.test_indicator_pages import define


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


def action(page: str, what: str) -> str:
    found = re.search(rf'action="([^"]+/measurements/[0-9a-f-]+/{what})"', page)
    assert found is not None, page
    return found.group(1)


def test_a_measurement_is_corrected_with_a_reason_and_the_original_stays_in_history(
    client: TestClient, world: World
) -> None:
    page = measured(client, world, "205")
    before = event_count(client)

    corrected = post(
        client,
        action(page, "correct"),
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
    url = action(page, "withdraw")
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
        action(page, "correct"),
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
    correct, withdraw = action(page, "correct"), action(page, "withdraw")
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
