"""Notifications in the browser: the list and its badge, the preferences, a
consortium's reminder days, and the scheduler's health for those who must know."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from starlette.testclient import TestClient

from governance.actor import Actor
from governance.values import ReportKind
from notifications.scheduler import Jobs
from tests.web.conftest import (
    World,
    event_count,
    login,
    post,
    stores_of,
)

PREFERENCES = "/notifications/preferences"


def reporting_url(world: World) -> str:
    return f"/consortia/{world.consortium_id}/reporting"


def a_report_reminded_to_the_pilot(client: TestClient, world: World) -> UUID:
    """A report due tomorrow, the pilot responsible, and its J-1 reminder issued."""
    stores = stores_of(client)
    pilot = stores.accounts.by_email(world.emails["pilot"])
    coordinator = stores.accounts.by_email(world.emails["coordinator"])
    assert pilot is not None
    assert coordinator is not None
    report = UUID(
        stores.governance.schedule_report(
            Actor(coordinator.account_id),
            world.consortium_id,
            funder="Banque des Territoires",
            title="Bilan <b>intermédiaire</b>",
            kind=ReportKind.ACTIVITY_REPORT,
            responsible_id=pilot.account_id,
            due_on=datetime.now(UTC).date() + timedelta(days=1),
        ).id
    )
    stores.governance.request_reminder(report, -1, pilot.account_id, 0)
    stores.read_side.catch_up()
    return report


def test_no_notification_yet_says_so(client: TestClient, world: World) -> None:
    login(client, world.emails["pilot"])

    page = client.get("/notifications")

    assert page.status_code == 200
    assert "No notification yet" in page.text
    assert 'class="badge"' not in page.text


def test_a_reminder_shows_in_the_list_and_the_badge_until_marked_read(
    client: TestClient, world: World
) -> None:
    a_report_reminded_to_the_pilot(client, world)
    login(client, world.emails["pilot"])

    before = client.get("/consortia").text
    listed = client.get("/notifications").text
    still = client.get("/consortia").text
    post(client, "/notifications/read-all", {})
    after = client.get("/consortia").text

    assert 'class="badge"' in before
    assert "1 unread" in before
    title = "Bilan &lt;b&gt;intermédiaire&lt;/b&gt;"
    assert f"{title} is due to Banque des Territoires" in listed
    assert "not sent yet" in listed
    # Looking is not reading: the badge stays until the person marks it read
    assert "1 unread" in still
    assert 'class="badge"' not in after
    assert 'class="flag">new' not in client.get("/notifications").text


def test_someone_else_does_not_see_my_reminders(
    client: TestClient, world: World
) -> None:
    a_report_reminded_to_the_pilot(client, world)
    login(client, world.emails["coordinator"])

    assert "Bilan" not in client.get("/notifications").text


def test_preferences_are_saved_and_bad_choices_refused(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["member"])
    accounts = stores_of(client).accounts
    member = accounts.by_email(world.emails["member"])
    assert member is not None

    saved = post(client, PREFERENCES, {"delivery": "digest", "language": "fr"})
    bad = post(client, PREFERENCES, {"delivery": "pigeon", "language": "de"})
    fragment = post(
        client, PREFERENCES, {"delivery": "in_app", "language": "en"}, htmx=True
    )

    assert saved.status_code == 200
    assert "Your choices are saved." in saved.text
    assert bad.status_code == 422
    assert bad.text.count("Choose one of the options.") == 2
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section id="preferences"')
    preferences = accounts.preferences(member.account_id)
    assert (preferences.delivery, preferences.language) == ("in_app", "en")


def test_the_language_of_the_first_login_is_the_email_language(
    client: TestClient, world: World
) -> None:
    client.headers["Accept-Language"] = "fr-FR,fr;q=0.9"
    login(client, world.emails["financer"])
    financer = stores_of(client).accounts.by_email(world.emails["financer"])
    assert financer is not None

    assert stores_of(client).accounts.preferences(financer.account_id).language == "fr"


def test_coordinators_choose_the_reminder_days(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    url = reporting_url(world) + "/reminders"

    default = client.get(reporting_url(world)).text
    changed = post(client, url, {"days_before": "21, 3"})
    page = client.get(reporting_url(world)).text
    before = event_count(client)
    zero = post(client, url, {"days_before": "0"})
    letters = post(client, url, {"days_before": "soon"}, htmx=True)

    assert "reminded 30, 14, 7, 1 days before" in default
    assert changed.status_code in (200, 303)
    assert "reminded 21, 3 days before" in page
    assert zero.status_code == 422
    assert "between 1 and 365 days before the deadline" in zero.text
    assert letters.status_code == 422
    assert "Enter whole numbers of days" in letters.text
    assert 'id="reminder-settings"' in letters.text
    assert "<html" not in letters.text
    assert event_count(client) == before


def test_members_may_not_change_the_reminder_days(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["member"])
    before = event_count(client)

    refused = post(client, reporting_url(world) + "/reminders", {"days_before": "5"})
    page = client.get(reporting_url(world)).text

    assert refused.status_code == 403
    assert event_count(client) == before
    assert "Save the reminder days" not in page
    assert "Reminder service" not in page


def test_coordinators_and_financers_see_the_scheduler_health(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["financer"])
    never = client.get(reporting_url(world)).text
    stores = stores_of(client)
    Jobs(stores.governance, stores.read_side, health=stores.health).tick()
    ran = client.get(reporting_url(world)).text
    stale = datetime.now(UTC) - timedelta(hours=1)
    stores.health.record(
        "tick", started_at=stale, finished_at=stale, ok=True, summary=""
    )

    assert "The reminder job has never run" in never
    assert "Save the reminder days" not in never
    assert "The reminder job last ran at" in ran
    assert "has not run since" in client.get(reporting_url(world)).text
