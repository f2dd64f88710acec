"""The platform administrators' pages: accounts, consortia, the background work.

A platform administrator lists the accounts (50 a page, searchable), disables one
(its sessions end at once: the next request of that browser is sent to the login
page, and the password no longer opens one), enables it again, and reaches the
erasure page filled in for that account. The consortia are listed by name; the
health page tells whether the scheduler runs, how far the read models are behind
and what the outbox holds. Who may see these pages is in the access matrix.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from governance.actor import Actor
from notifications.outbox import Message
from notifications.scheduler import JOB_NAME
from notifications.webhooks.store import WebhookStore
from tests.web.conftest import (
    PASSWORD,
    World,
    csrf,
    login,
    password_step,
    post,
    stores_of,
)
from web.ops.webhooks import WEBHOOK_POLLER

ADMIN = "platform-admin@test.example"


@pytest.fixture
def admin(client: TestClient, world: World) -> str:
    """A platform administrator, once the world's consortium is in the read models."""
    stores = stores_of(client)
    stores.accounts.create_account(
        ADMIN, "Platform Admin", PASSWORD, is_admin=True, now=datetime.now(UTC)
    )
    stores.read_side.catch_up()
    return ADMIN


def account_id(client: TestClient, email: str) -> str:
    account = stores_of(client).accounts.by_email(email)
    assert account is not None
    return account.account_id


def emails_listed(html: str) -> list[str]:
    return re.findall(r"<td>([^<>@\s]+@[^<>\s]+)</td>", html)


def test_an_administrator_finds_the_area_from_the_menu(
    client: TestClient, world: World, admin: str
) -> None:
    login(client, world.emails["coordinator"])
    coordinator_menu = client.get("/consortia").text
    login(client, admin)

    menu = client.get("/consortia").text
    overview = client.get("/admin")

    assert 'href="/admin"' not in coordinator_menu
    assert 'href="/admin">Administration</a>' in menu
    assert overview.status_code == 200
    assert "6 accounts." in overview.text  # the world's five and the administrator
    assert "2 consortia." in overview.text  # the world's and the outsider's
    for link in ("/admin/accounts", "/admin/consortia", "/admin/health"):
        assert f'href="{link}"' in overview.text
    assert 'href="/admin/accounts/erase"' in overview.text


def test_accounts_are_listed_fifty_a_page_and_searched(
    client: TestClient, world: World, admin: str
) -> None:
    accounts = stores_of(client).accounts
    for number in range(50):
        accounts.create_account(
            f"person{number:02d}@test.example",
            f"Person {number:02d}",
            PASSWORD,
            now=datetime.now(UTC),
        )
    login(client, admin)

    first = client.get("/admin/accounts")
    second = client.get("/admin/accounts", params={"page": "2"})
    found = client.get("/admin/accounts", params={"q": "PERSON 07"})
    by_address = client.get("/admin/accounts", params={"q": "@test"})
    wildcard = client.get("/admin/accounts", params={"q": "%"})

    assert "56 accounts found." in first.text
    assert len(emails_listed(first.text)) == 50
    assert "Page 1 of 2" in first.text
    assert len(emails_listed(second.text)) == 6
    assert set(emails_listed(first.text)).isdisjoint(emails_listed(second.text))
    assert emails_listed(found.text) == ["person07@test.example"]
    assert "56 accounts found." in by_address.text
    assert "0 accounts found." in wildcard.text  # % is a character, not a pattern


def test_disabling_an_account_ends_its_sessions_at_once(
    client: TestClient, world: World, admin: str
) -> None:
    member = world.emails["member"]
    login(client, member)
    assert client.get("/consortia").status_code == 200
    members_cookies = dict(client.cookies)
    login(client, admin)

    disabled = post(client, f"/admin/accounts/{account_id(client, member)}/disable")
    listed = client.get(disabled.headers["location"])
    client.cookies.clear()
    client.cookies.update(members_cookies)
    after = client.get("/consortia", follow_redirects=False)
    again = password_step(client, member)

    assert disabled.status_code == 303
    assert "its sessions have ended and it can no longer log in" in listed.text
    assert emails_listed(listed.text) == [member]
    assert "<strong>disabled</strong>" in listed.text
    assert after.status_code == 303
    assert after.headers["location"].startswith("/login")
    assert again.status_code != 303  # the right password opens nothing


def test_an_enabled_account_logs_in_again(
    client: TestClient, world: World, admin: str
) -> None:
    member = world.emails["member"]
    login(client, admin)
    member_id = account_id(client, member)
    post(client, f"/admin/accounts/{member_id}/disable")

    enabled = post(client, f"/admin/accounts/{member_id}/enable")
    listed = client.get(enabled.headers["location"])

    assert enabled.status_code == 303
    assert "its owner can log in again" in listed.text
    assert password_step(client, member).status_code == 303


def test_an_administrator_cannot_disable_their_own_account(
    client: TestClient, world: World, admin: str
) -> None:
    login(client, admin)

    refused = post(client, f"/admin/accounts/{account_id(client, admin)}/disable")

    assert refused.status_code == 409
    assert "You cannot disable your own account" in refused.text
    account = stores_of(client).accounts.by_email(admin)
    assert account is not None
    assert not account.disabled
    assert client.get("/admin").status_code == 200  # still logged in


def test_an_unknown_account_is_not_found_and_others_change_nothing(
    client: TestClient, world: World, admin: str
) -> None:
    member_id = account_id(client, world.emails["member"])
    login(client, world.emails["coordinator"])

    by_coordinator = post(client, f"/admin/accounts/{member_id}/disable")
    login(client, admin)
    unknown = post(client, "/admin/accounts/no-such-account/disable")

    assert by_coordinator.status_code == 404
    assert unknown.status_code == 404
    account = stores_of(client).accounts.by_id(member_id)
    assert account is not None
    assert not account.disabled


def test_erase_leads_to_the_erasure_page_filled_in_for_that_account(
    client: TestClient, world: World, admin: str
) -> None:
    login(client, admin)
    member = world.emails["member"]
    listed = client.get("/admin/accounts", params={"q": member})
    link = re.search(r'href="(/admin/accounts/erase\?email=[^"]+)"', listed.text)
    assert link is not None

    page = client.get(link.group(1).replace("&amp;", "&"))

    assert page.status_code == 200
    assert f'value="{member}"' in page.text
    assert 'name="confirm"' in page.text  # erasing still asks to confirm
    assert 'name="password"' in page.text


def test_the_consortia_of_the_platform_are_listed_by_name_only(
    client: TestClient, world: World, admin: str
) -> None:
    login(client, admin)

    page = client.get("/admin/consortia")

    assert page.status_code == 200
    assert "Inclusion Numérique" in page.text
    assert "Lead Corp" in page.text
    assert f"/consortia/{world.consortium_id}" not in page.text
    assert client.get(f"/consortia/{world.consortium_id}").status_code == 404


def test_the_health_page_says_when_the_scheduler_never_ran_or_stopped(
    client: TestClient, world: World, admin: str
) -> None:
    login(client, admin)
    never = client.get("/admin/health")
    health = stores_of(client).health
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    health.record(
        JOB_NAME,
        started_at=long_ago,
        finished_at=long_ago,
        ok=True,
        summary="closed=0",
    )
    stopped = client.get("/admin/health")
    now = datetime.now(UTC)
    health.record(
        JOB_NAME, started_at=now, finished_at=now, ok=True, summary="closed=0"
    )
    running = client.get("/admin/health")

    assert "The scheduler has never run" in never.text
    assert "The scheduler has not run since" in stopped.text
    assert "The scheduler last ran at" in running.text
    assert "closed=0" in running.text


def test_the_health_page_shows_the_read_models_lag_and_the_refused_mail(
    client: TestClient, world: World, admin: str
) -> None:
    s = stores_of(client)
    s.read_side.catch_up()
    login(client, admin)
    caught_up = client.get("/admin/health")
    coordinator = Actor(account_id(client, world.emails["coordinator"]))
    # A command the read models have not caught up with yet (no page waited for it).
    s.governance.change_partner_axis(
        coordinator, world.consortium_id, world.lead_id, "A"
    )
    now = datetime.now(UTC)
    s.outbox.put(
        Message("<refused@test>", "gone@test.example", "Rappel", "Texte", None, "fr"),
        now=now,
    )
    assert s.outbox.claim("<refused@test>", now=now)
    s.outbox.mark_failed("<refused@test>", "550 no such user", now=now, permanent=True)

    page = client.get("/admin/health")

    assert "The pages show every event of the log" in caught_up.text
    assert re.search(r"The pages are \d+ events? behind the log", page.text)
    assert "gone@test.example" in page.text
    assert "550 no such user" in page.text
    assert re.search(r"refused for good</dt><dd>1<", page.text)


def test_the_admin_pages_speak_french(
    client: TestClient, world: World, admin: str
) -> None:
    login(client, admin)
    client.post(
        "/language",
        data={"language": "fr", "csrf_token": csrf(client), "next": "/admin"},
    )

    pages = [client.get(path).text for path in ("/admin", "/admin/accounts")]

    assert "Comptes" in pages[0]
    assert "Tâches de fond" in pages[0]
    assert "Désactiver" in pages[1]


def test_a_coordinator_reads_mail_trouble_in_words_and_the_admin_reads_the_server(
    client: TestClient, world: World, admin: str
) -> None:
    s = stores_of(client)
    now = datetime.now(UTC)
    login(client, world.emails["coordinator"])
    reporting = f"/consortia/{world.consortium_id}/reporting"
    all_sent = client.get(reporting).text
    s.outbox.put(
        Message("<refused@test>", "gone@test.example", "Rappel", "Texte", None, "fr"),
        now=now,
    )
    assert s.outbox.claim("<refused@test>", now=now)
    s.outbox.mark_failed("<refused@test>", "550 no such user", now=now, permanent=True)

    trouble = client.get(reporting).text
    login(client, admin)

    assert "Every e-mail has been sent." in all_sent
    assert "Some e-mails could not be sent yet." in trouble
    assert "refused for good" not in trouble
    assert "550 no such user" not in trouble
    assert "550 no such user" in client.get("/admin/health").text


def test_the_health_page_shows_the_pollers_and_the_webhooks_deliveries(
    client: TestClient, world: World, admin: str
) -> None:
    s = stores_of(client)
    login(client, world.emails["coordinator"])
    hooks = f"/consortia/{world.consortium_id}/webhooks"
    for url in ("https://hooks.example.org/a", "https://hooks.example.org/b"):
        assert post(client, hooks, {"url": url, "kind_all": "on"}).status_code == 200
    store = WebhookStore(s.outbox.engine)
    [first, _] = store.of_owner("consortium", str(world.consortium_id))
    store.set_paused(first.subscription_id, True)
    now = datetime.now(UTC)
    s.health.record(
        WEBHOOK_POLLER,
        started_at=now,
        finished_at=now,
        ok=False,
        summary="",
        error="OperationalError('database is locked')",
    )
    login(client, admin)

    page = client.get("/admin/health").text

    assert "2 addresses registered by coordinators and financers (1 paused)" in page
    assert re.search(r"Deliveries waiting</dt><dd>0<", page)
    assert re.search(
        r"Requested audit verifications</strong>:\s*has not run yet\.", page
    )
    assert "Webhook sender</strong>:" in page
    assert "its last run failed at" in page
    assert "database is locked" in page
