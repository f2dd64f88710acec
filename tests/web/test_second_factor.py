"""Two-step login hardened: TOTP secrets sealed at rest, recovery codes, and the
edges of the second step (re-authentication, pending logins, other sessions)."""

from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, inspect, select, update
from starlette.testclient import TestClient

from tests.support.fakes import FixedClock
from tests.web.conftest import (
    PASSWORD,
    World,
    give_code,
    login,
    password_step,
    post,
    stores_of,
    switch_on_two_step,
)
from web.app import create_app
from web.identity import totp
from web.identity.second_factor import seal_clear_secrets
from web.identity.secret_box import SecretBox, UnreadableSecret
from web.identity.tables import (
    clear_second_factors,
    legacy_metadata,
    recovery_codes,
    totp_factors,
)
from web.identity.tables import metadata as accounts_metadata
from web.identity.throttle import SECOND_FACTOR
from web.identity.throttle import metadata as throttle_metadata
from web.ops.platform_keys import forget
from web.settings import Settings

T0 = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)
STEP = timedelta(seconds=30)


@pytest.fixture
def clock(client: TestClient) -> FixedClock:
    fixed = FixedClock(T0)
    stores_of(client).accounts.throttle.clock = fixed
    return fixed


@pytest.fixture
def other(settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    """A second browser on the same stores' database, on the same clock."""
    with TestClient(create_app(settings), base_url="https://testserver") as browser:
        stores_of(browser).accounts.throttle.clock = clock
        yield browser


def account_id(client: TestClient, email: str) -> str:
    account = stores_of(client).accounts.by_email(email)
    assert account is not None
    return account.account_id


def dump(client: TestClient) -> str:
    """Every value of every table of the accounts store, as text (a database dump)."""
    engine = stores_of(client).accounts.engine
    parts: list[str] = []
    with engine.connect() as connection:
        for metadata in (accounts_metadata, throttle_metadata):
            for table in metadata.sorted_tables:
                for row in connection.execute(select(table)):
                    parts.extend(str(value) for value in row)
    return " ".join(parts)


def codes_left(client: TestClient, email: str) -> int:
    return stores_of(client).accounts.recovery_codes_left(account_id(client, email))


# -- the secret, sealed at rest --------------------------------------------------------


def test_a_database_dump_does_not_reveal_the_secret(
    client: TestClient, world: World, clock: FixedClock, settings: Settings
) -> None:
    email = world.emails["coordinator"]
    login(client, email)

    two_step = switch_on_two_step(client, clock.now())

    everything = dump(client)
    assert two_step.secret not in everything
    assert two_step.secret.lower() not in everything.lower()
    assert totp.grouped(two_step.secret) not in everything
    with stores_of(client).accounts.engine.connect() as connection:
        sealed = connection.scalar(select(totp_factors.c.sealed_secret))
    assert sealed is not None
    assert sealed.startswith("aesgcm1:")
    # Nor are the recovery codes in the dump: only their digests.
    for code in two_step.codes:
        assert code not in everything
        assert code.replace("-", "") not in everything
    # The key is a file of the data directory, readable by its owner only.
    key_file = settings.secrets_key_path
    assert key_file.parent == settings.data_dir
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().strip() not in everything


def test_the_key_file_may_live_elsewhere(
    settings: Settings, world: World, clock: FixedClock
) -> None:
    elsewhere = settings.data_dir / "keys" / "totp.key"
    from_env = Settings.from_env(
        {
            "CONSORTIUM_DATA_DIR": str(settings.data_dir),
            "CONSORTIUM_SECRETS_KEY_FILE": str(elsewhere),
        }
    )
    assert from_env.secrets_key_path == elsewhere
    assert Settings(data_dir=settings.data_dir).secrets_key_path == (
        settings.data_dir / "secrets_key"
    )
    if settings.database_url:
        # On PostgreSQL every key is made at the first start: moved by the operator.
        elsewhere.parent.mkdir()
        os.replace(settings.data_dir / "secrets_key", elsewhere)
    moved = replace(settings, secrets_key_file=elsewhere)
    with TestClient(create_app(moved), base_url="https://testserver") as browser:
        stores_of(browser).accounts.throttle.clock = clock
        login(browser, world.emails["member"])
        switch_on_two_step(browser, clock.now())

    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o600
    assert not (settings.data_dir / "secrets_key").exists()


def test_the_sealing_key_is_made_once_and_binds_each_secret_to_its_owner(
    client: TestClient, settings: Settings
) -> None:
    path = settings.data_dir / "another_key"
    box = SecretBox(path)
    sealed = box.seal("JBSWY3DPEHPK3PXP", "account-a")
    key = path.read_bytes()

    assert SecretBox(path).open(sealed, "account-a") == "JBSWY3DPEHPK3PXP"
    assert path.read_bytes() == key  # opened, not made again
    with pytest.raises(UnreadableSecret):
        box.open(sealed, "account-b")
    with pytest.raises(UnreadableSecret):
        box.open(sealed[:-4] + "AAAA", "account-a")
    with pytest.raises(UnreadableSecret):
        SecretBox(os.urandom(32)).open(sealed, "account-a")
    with pytest.raises(UnreadableSecret):
        box.open("JBSWY3DPEHPK3PXP", "account-a")  # a clear secret is not sealed
    assert box.seal("JBSWY3DPEHPK3PXP", "account-a") != sealed  # a fresh nonce


def test_a_sealed_secret_copied_to_another_account_opens_nothing(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    coordinator, financer = world.emails["coordinator"], world.emails["financer"]
    login(client, coordinator)
    secret = switch_on_two_step(client, clock.now()).secret
    login(client, financer)
    switch_on_two_step(client, clock.now())
    engine = stores_of(client).accounts.engine
    with engine.begin() as connection:
        stolen = connection.scalar(
            select(totp_factors.c.sealed_secret).where(
                totp_factors.c.account_id == account_id(client, coordinator)
            )
        )
        connection.execute(
            update(totp_factors)
            .where(totp_factors.c.account_id == account_id(client, financer))
            .values(sealed_secret=stolen)
        )

    password_step(client, financer)
    clock.advance(STEP)
    refused = give_code(client, totp.code_at(secret, clock.now()))

    assert refused.status_code == 422
    assert "This code is not right" in refused.text


def test_with_another_key_codes_fail_gently_and_recovery_codes_still_work(
    client: TestClient, world: World, clock: FixedClock, settings: Settings
) -> None:
    email = world.emails["financer"]
    login(client, email)
    two_step = switch_on_two_step(client, clock.now())
    # The key file is lost and a new one made: the sealed secret no longer opens.
    settings.secrets_key_path.write_bytes(base64.b64encode(os.urandom(32)))
    if settings.database_url:
        # Lost on every host: the operator has the database forget it.
        assert forget(stores_of(client).accounts.engine, "secrets_key")
    with TestClient(create_app(settings), base_url="https://testserver") as restarted:
        stores_of(restarted).accounts.throttle.clock = clock
        password_step(restarted, email)
        clock.advance(STEP)

        refused = give_code(restarted, totp.code_at(two_step.secret, clock.now()))
        rescued = give_code(restarted, two_step.codes[0])

        assert refused.status_code == 422
        assert rescued.status_code == 303
        page = restarted.get(rescued.headers["location"])
        assert "You logged in with a recovery code" in page.text


@pytest.mark.parametrize("enabled", [True, False])
def test_secrets_kept_in_clear_are_sealed_when_the_app_starts(
    client: TestClient,
    world: World,
    settings: Settings,
    enabled: bool,
) -> None:
    email = world.emails["coordinator"]
    person = account_id(client, email)
    secret = totp.new_secret()
    engine = stores_of(client).accounts.engine
    # The table as it was before secrets were sealed, with a clear secret in it.
    legacy_metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            insert(clear_second_factors).values(
                account_id=person,
                secret=secret,
                created_at=T0,
                enabled_at=T0 if enabled else None,
                last_step=0,
            )
        )

    with TestClient(create_app(settings), base_url="https://testserver") as restarted:
        assert not inspect(engine).has_table("second_factors")
        assert secret not in dump(restarted)
        factor = stores_of(restarted).accounts.second_factor(person)
        assert factor is not None
        assert factor.secret == secret
        assert factor.enabled is enabled
        first = password_step(restarted, email)
        if enabled:
            assert first.headers["location"] == "/login/code"
            code = totp.code_at(secret, datetime.now(UTC))
            assert give_code(restarted, code).status_code == 303
            # Made before recovery codes existed: none yet, and the page says so.
            page = restarted.get("/account").text
            assert "0 unused recovery codes left." in page
            assert "Few recovery codes are left" in page
        else:
            assert first.headers["location"] == "/consortia"


def checkpoint(path: Path) -> None:
    """Copy the write-ahead log into the file (outside any transaction, as it must)."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_moved_secrets_leave_no_clear_copy_behind(
    client: TestClient, world: World, settings: Settings
) -> None:
    engine = stores_of(client).accounts.engine
    person = account_id(client, world.emails["member"])
    secret = totp.new_secret()
    legacy_metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            insert(clear_second_factors).values(
                account_id=person, secret=secret, created_at=T0, last_step=0
            )
        )
    on_sqlite = settings.database_url is None
    sqlite_file = settings.data_dir / "app.db"
    if on_sqlite:
        checkpoint(sqlite_file)
        assert secret.encode() in sqlite_file.read_bytes()  # the control

    moved = seal_clear_secrets(engine, stores_of(client).accounts.box)

    assert moved == 1
    assert seal_clear_secrets(engine, stores_of(client).accounts.box) == 0
    assert secret not in dump(client)
    if on_sqlite:
        # The deleted row's bytes were overwritten (secure_delete), not left behind
        # in a free page of the file.
        checkpoint(sqlite_file)
        assert secret.encode() not in sqlite_file.read_bytes()


# -- recovery codes --------------------------------------------------------------------


def test_enabling_shows_ten_recovery_codes_once(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["coordinator"]
    login(client, email)
    post(client, "/account/two-factor/setup")
    page = client.get("/account/two-factor")
    match = re.search(r"<code>([A-Z2-7 ]+)</code>", page.text)
    assert match is not None
    secret = match.group(1).replace(" ", "")

    shown = post(
        client,
        "/account/two-factor/enable",
        {"code": totp.code_at(secret, clock.now()), "password": PASSWORD},
    )

    assert shown.status_code == 200
    assert shown.headers["cache-control"] == "no-store"
    codes = re.findall(r"<li><code>([0-9a-z-]{19})</code></li>", shown.text)
    assert len(set(codes)) == 10
    assert "They are shown only this once." in shown.text
    assert 'name="saved" value="yes" required' in shown.text
    assert "data-print" in shown.text
    assert 'download="consortium-ledger-recovery-codes.txt"' in shown.text
    # Only digests are stored; no page shows the codes again.
    with stores_of(client).accounts.engine.connect() as connection:
        stored = set(connection.scalars(select(recovery_codes.c.code_hash)))
    assert len(stored) == 10
    assert not stored & set(codes)
    account_page = client.get("/account?done=enabled&saved=yes").text
    assert "Two-step login is on" in account_page
    assert "10 unused recovery codes left." in account_page
    again = client.get("/account/two-factor").text
    assert not any(code in again for code in codes)
    assert "10 unused recovery codes left." in again


def test_a_recovery_code_logs_in_once(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["financer"]
    login(client, email)
    codes = switch_on_two_step(client, clock.now()).codes
    # Typed loosely: capitals, spaces instead of dashes.
    typed = codes[3].upper().replace("-", " ")

    password_step(client, email)
    used = give_code(client, typed)

    assert used.status_code == 303
    assert used.headers["location"] == "/account/two-factor?done=recovery"
    page = client.get(used.headers["location"]).text
    assert "You logged in with a recovery code" in page
    assert "9 unused recovery codes left." in page
    assert client.get(f"/consortia/{world.consortium_id}").status_code == 200
    password_step(client, email)
    replay = give_code(client, codes[3])
    assert replay.status_code == 422
    assert give_code(client, codes[4]).status_code == 303


def test_recovery_codes_are_counted_by_the_code_throttle(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["coordinator"]
    login(client, email)
    two_step = switch_on_two_step(client, clock.now())
    password_step(client, email)
    wrong_recovery = "0000-0000-0000-0000"

    statuses = [give_code(client, wrong_recovery).status_code for _ in range(3)]
    statuses += [give_code(client, f"{n:06d}").status_code for n in range(2)]
    limited = give_code(client, two_step.codes[0])

    assert statuses == [422] * 5
    assert limited.status_code == 429
    assert "Too many attempts" in limited.text
    assert codes_left(client, email) == 10  # refused before it was looked at
    clock.advance(timedelta(minutes=15))
    password_step(client, email)
    assert give_code(client, two_step.codes[0]).status_code == 303


# Digits to ``str.isdigit`` that no authenticator shows: each was a 500.
ODD_CODES = ["12345²", "١٢٣٤٥٦", "１２３４５６", "123 45⁷", "۱۲۳۴۵۶", "１２３-４５６"]


@pytest.mark.parametrize("code", ODD_CODES)
def test_a_code_in_other_digits_is_refused_plainly_at_login(
    client: TestClient, world: World, clock: FixedClock, code: str
) -> None:
    email = world.emails["coordinator"]
    login(client, email)
    switch_on_two_step(client, clock.now())
    password_step(client, email)
    throttle = stores_of(client).accounts.throttle

    refused = give_code(client, code)

    assert refused.status_code == 422
    assert "six digits, 0 to 9" in refused.text
    assert throttle.count(SECOND_FACTOR, account_id(client, email)) == 0


@pytest.mark.parametrize("code", ODD_CODES)
def test_a_code_in_other_digits_is_refused_plainly_on_the_security_page(
    client: TestClient, world: World, clock: FixedClock, code: str
) -> None:
    email = world.emails["coordinator"]
    login(client, email)
    post(client, "/account/two-factor/setup")

    enabling = post(
        client, "/account/two-factor/enable", {"code": code, "password": PASSWORD}
    )
    switch_on_two_step(client, clock.now())
    disabling = post(
        client, "/account/two-factor/disable", {"code": code, "password": PASSWORD}
    )

    assert enabling.status_code == disabling.status_code == 422
    assert "six digits, 0 to 9" in enabling.text
    assert "six digits, 0 to 9" in disabling.text
    assert stores_of(client).accounts.has_second_factor(account_id(client, email))


def test_new_recovery_codes_need_confirmation_and_the_password(
    client: TestClient, other: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["coordinator"]
    login(client, email)
    old = switch_on_two_step(client, clock.now())
    password_step(other, email)
    clock.advance(STEP)
    give_code(other, totp.code_at(old.secret, clock.now()))
    assert other.get("/account", follow_redirects=False).status_code == 200

    unconfirmed = post(
        client, "/account/two-factor/recovery-codes", {"password": PASSWORD}
    )
    wrong_password = post(
        client,
        "/account/two-factor/recovery-codes",
        {"password": "not my password", "confirm": "yes"},
    )
    made = post(
        client,
        "/account/two-factor/recovery-codes",
        {"password": PASSWORD, "confirm": "yes"},
    )

    assert unconfirmed.status_code == wrong_password.status_code == 422
    assert "Tick the box to confirm." in unconfirmed.text
    assert "This is not your current password." in wrong_password.text
    assert made.status_code == 200
    assert made.headers["cache-control"] == "no-store"
    new = re.findall(r"<li><code>([0-9a-z-]{19})</code></li>", made.text)
    assert len(new) == 10
    assert not set(new) & set(old.codes)
    # The other browser's session ended; this one goes on.
    assert other.get("/account", follow_redirects=False).status_code == 303
    assert "Your new recovery codes are saved" in client.get("/account?done=codes").text
    password_step(client, email)
    assert give_code(client, old.codes[0]).status_code == 422
    assert give_code(client, new[0]).status_code == 303


def test_few_recovery_codes_left_are_warned_about(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["pilot"]
    login(client, email)
    codes = switch_on_two_step(client, clock.now()).codes
    assert "Few recovery codes are left" not in client.get("/account").text

    for code in codes[:7]:
        password_step(client, email)
        assert give_code(client, code).status_code == 303

    account_page = client.get("/account").text
    assert "3 unused recovery codes left." in account_page
    assert "Few recovery codes are left" in account_page
    security_page = client.get("/account/two-factor").text
    assert 'class="warning" role="status"' in security_page
    assert "Make new ones before you run out" in security_page


def test_a_lost_phone_two_step_login_is_switched_off_with_a_recovery_code(
    client: TestClient, other: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["coordinator"]
    login(client, email)
    two_step = switch_on_two_step(client, clock.now())
    login(other, email)  # a second browser, logged in before
    password_step(client, email)
    assert give_code(client, two_step.codes[0]).status_code == 303

    no_password = post(
        client,
        "/account/two-factor/disable",
        {"password": "not mine at all", "code": two_step.codes[1]},
    )
    done = post(
        client,
        "/account/two-factor/disable",
        {"password": PASSWORD, "code": two_step.codes[1]},
    )

    assert no_password.status_code == 422
    assert done.status_code == 303
    assert "Two-step login is off." in client.get(done.headers["location"]).text
    assert other.get("/account", follow_redirects=False).status_code == 303
    assert codes_left(client, email) == 0
    assert password_step(client, email).headers["location"] == "/consortia"


def test_switching_on_ends_the_other_sessions(
    client: TestClient, other: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["member"]
    login(other, email)
    login(client, email)

    switch_on_two_step(client, clock.now())

    assert other.get("/account", follow_redirects=False).status_code == 303
    assert client.get("/account").status_code == 200


# -- the pending step ------------------------------------------------------------------


def test_a_password_change_ends_a_login_waiting_for_its_code(
    client: TestClient, other: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["coordinator"]
    login(other, email)
    secret = switch_on_two_step(other, clock.now()).secret
    password_step(client, email)  # someone who knows the password

    changed = post(
        other,
        "/account/password",
        {
            "current_password": PASSWORD,
            "password": "a brand new passphrase",
            "password_again": "a brand new passphrase",
        },
    )
    clock.advance(STEP)
    late = give_code(client, totp.code_at(secret, clock.now()))

    assert changed.status_code == 303
    assert late.status_code == 303
    assert late.headers["location"] == "/login"
    assert client.get("/consortia", follow_redirects=False).status_code == 303


def test_disabling_the_account_ends_a_login_waiting_for_its_code(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["financer"]
    login(client, email)
    secret = switch_on_two_step(client, clock.now()).secret
    password_step(client, email)

    stores_of(client).accounts.set_disabled(
        account_id(client, email), True, now=datetime.now(UTC)
    )
    clock.advance(STEP)
    late = give_code(client, totp.code_at(secret, clock.now()))

    assert late.headers["location"] == "/login"
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_expired_pending_logins_are_purged(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["coordinator"]
    login(client, email)
    switch_on_two_step(client, clock.now())
    password_step(client, email)
    accounts = stores_of(client).accounts
    assert "/consortia" in dump(client)  # the pending login's next path

    accounts.purge_sessions(now=clock.now() + timedelta(minutes=6))

    assert "/consortia" not in dump(client)


# -- the person's data and French ------------------------------------------------------


def test_the_export_tells_how_many_codes_are_left_and_no_secret(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["coordinator"]
    login(client, email)
    two_step = switch_on_two_step(client, clock.now())

    exported = client.get("/account/export")

    data = json.loads(exported.content)
    factor = json.dumps(data)
    assert two_step.secret not in factor
    assert not any(code in factor for code in two_step.codes)
    assert '"recovery_codes_left": 10' in factor


def test_recovery_codes_in_french(
    client: TestClient, world: World, clock: FixedClock
) -> None:
    email = world.emails["coordinator"]
    login(client, email)
    client.cookies.set("lang", "fr")
    post(client, "/account/two-factor/setup")
    page = client.get("/account/two-factor")
    match = re.search(r"<code>([A-Z2-7 ]+)</code>", page.text)
    assert match is not None
    secret = match.group(1).replace(" ", "")

    shown = post(
        client,
        "/account/two-factor/enable",
        {"code": totp.code_at(secret, clock.now()), "password": PASSWORD},
    )

    assert "Vos codes de secours" in shown.text
    assert "10 codes de secours inutilisés restants." in client.get("/account").text
