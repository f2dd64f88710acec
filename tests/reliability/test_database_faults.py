"""Database faults: PostgreSQL stopped while serving, a full disk under SQLite.

PostgreSQL: a dedicated server (stopping it must not hurt the session's shared one)
serves a real ``uvicorn`` process. The server is stopped (``pg_ctl stop -m
immediate``, then ``-m fast``): every page, plain or htmx, GET or POST, answers a 503
page in the visitor's language with ``Retry-After`` within a bounded time, a refused
POST appends nothing, ``/healthz`` says unavailable. Once the server is back the same
process serves again, without a restart, and a POST is stored.

SQLite: the ``uvicorn`` process's file-size limit (``RLIMIT_FSIZE``, lowered from
outside with ``prlimit``) is set to 0, so no file of it can grow by a byte any more:
writes fail with ``EFBIG`` as they would with ``ENOSPC`` on a full disk (Python
ignores ``SIGXFSZ``, so the process is not killed). Reads go on; every write is
refused with a 507 page; once the limit is lifted, writes resume. Afterwards every
acknowledged command is in the log, no refused one is, ``consortium audit verify``
passes and the read models equal a clean rebuild. A projection batch that fails on
a full read-model database (``PRAGMA max_page_count``, SQLite's own "database or
disk is full") rolls back and the follower retries it until it succeeds.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy.exc
from click.testing import CliRunner
from eventsourcing import persistence
from sqlalchemy import Engine, event, select
from starlette.testclient import TestClient

from governance.actor import Actor
from governance.consortium import Consortium
from projections.base import metadata, tracking
from projections.runtime import ReadSide
from tests.support.http_browser import Answer, Browser, csrf_in
from tests.support.postgres import PostgresServer, PostgresUnavailable
from tests.support.processes import free_port, stop, uvicorn_command, wait_until_healthy
from tests.support.writers import Plan, a_plan
from tests.web.conftest import build_world, login, post, stores_of
from web.app import create_app
from web.cli import main
from web.faults import classify
from web.ops.storage import Stores, open_stores
from web.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
EMAIL, PASSWORD = "faults@test.example", "pw-for-fault-tests"
ANSWER_SECONDS = 12.0  # a request during an outage: pool timeout 5 s, plus margin
RECOVERY_SECONDS = 30.0
UNAVAILABLE_EN = "The database cannot be reached right now."
UNAVAILABLE_FR = "La base de données est injoignable pour le moment."
FULL_EN = "The server cannot write to its storage"
FULL_FR = "Le serveur ne peut plus écrire sur son stockage"


def environment(settings: Settings) -> dict[str, str]:
    env = {
        **os.environ,
        "CONSORTIUM_DATA_DIR": str(settings.data_dir),
        "CONSORTIUM_SECRET_KEY": "k",
        "PYTHONPATH": str(ROOT),
    }
    if settings.database_url:
        env["CONSORTIUM_DATABASE_URL"] = settings.database_url
    return env


@contextmanager
def web_process(settings: Settings) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``uvicorn`` serving the app on ``settings``; yields its URL and process."""
    port = free_port()
    process = subprocess.Popen(
        uvicorn_command(port),
        env=environment(settings),
        cwd=ROOT,
    )
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}/healthz", process)
        yield f"http://127.0.0.1:{port}", process
    finally:
        stop(process)


def prepare(settings: Settings) -> Plan:
    """An account coordinating a consortium of three partners."""
    stores = open_stores(settings)
    try:
        account = stores.accounts.create_account(
            EMAIL, "Faults", PASSWORD, now=datetime.now(UTC)
        )
        plan = a_plan(stores.governance, coordinator_id=account.account_id)
        stores.read_side.catch_up()
    finally:
        stores.close()
    return plan


def stored_axes(settings: Settings, plan: Plan) -> list[str]:
    stores = open_stores(settings)
    try:
        return [
            e.axis
            for e in stores.governance.events.get(UUID(plan.consortium_id))
            if isinstance(e, Consortium.PartnerAxisChanged)
        ]
    finally:
        stores.close()


def partner_page(plan: Plan) -> str:
    return f"/consortia/{plan.consortium_id}/partners/{plan.partners[0]}"


def change_axis(browser: Browser, plan: Plan, token: str, axis: str) -> Answer:
    return browser.request(
        partner_page(plan) + "/axis", {"axis": axis, "csrf_token": token}
    )


def htmx(token: str = "", language: str = "en") -> dict[str, str]:
    headers = {"HX-Request": "true", "Accept-Language": language}
    if token:
        headers["X-CSRF-Token"] = token
    return headers


def assert_unavailable(answer: Answer, text: str = UNAVAILABLE_EN) -> None:
    assert answer.status == 503, (answer.status, answer.body[:500])
    assert text in answer.body.replace("&#39;", "'")
    assert answer.headers.get("retry-after", "").isdigit()
    assert "Traceback" not in answer.body
    assert answer.seconds < ANSWER_SECONDS, answer.seconds


# -- PostgreSQL stopped while serving ------------------------------------------------


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test's own, which it may stop and restart."""
    try:
        server = PostgresServer(durable_commits=True)
        server.start()
    except (PostgresUnavailable, subprocess.CalledProcessError, OSError) as error:
        reason = f"PostgreSQL unavailable ({error}): install Debian's postgresql"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    yield server
    server.stop()


@pytest.mark.postgres
def test_postgresql_stopped_gives_503_and_the_same_process_recovers(
    own_postgres: PostgresServer, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path, database_url=own_postgres.create_database(), secret_key="k"
    )
    plan = prepare(settings)
    acknowledged: list[str] = []
    refused: list[str] = []
    recoveries: list[float] = []
    with web_process(settings) as (base, _process):
        browser = Browser(base)
        token = browser.login(EMAIL, PASSWORD)
        for outage, mode in enumerate(("immediate", "fast")):
            before = f"before-{mode}"
            assert change_axis(browser, plan, token, before).status == 303
            acknowledged.append(before)
            assert before in browser.request(partner_page(plan)).body

            own_postgres.halt(mode)
            try:
                assert_unavailable(browser.request(partner_page(plan)))
                assert_unavailable(browser.request("/consortia"))
                french = browser.request(
                    partner_page(plan), headers={"Accept-Language": "fr"}
                )
                assert_unavailable(french, UNAVAILABLE_FR)
                fragment = browser.request(partner_page(plan), headers=htmx())
                assert_unavailable(fragment)
                assert fragment.headers["hx-retarget"] == "#alerts"
                assert "<html" not in fragment.body
                # An anonymous visitor's login page stores and reads nothing (no
                # session row before a password proves right); sending it does.
                visitor = Browser(base)
                form = visitor.request("/login")
                assert form.status == 200
                fields = {"email": EMAIL, "password": PASSWORD}
                fields["csrf_token"] = csrf_in(form.body)
                assert_unavailable(visitor.request("/login", fields))
                during = f"during-{mode}"
                assert_unavailable(change_axis(browser, plan, token, during))
                htmx_post = browser.request(
                    partner_page(plan) + "/axis",
                    {"axis": during + "-htmx"},
                    htmx(token),
                )
                assert_unavailable(htmx_post)
                refused += [during, during + "-htmx"]
                health = browser.request("/healthz")
                assert health.status == 503
                assert health.body.startswith("unavailable")
            finally:
                own_postgres.resume()

            restarted = time.monotonic()
            while True:
                answer = browser.request(partner_page(plan))
                if answer.status == 200:
                    break
                assert answer.status == 503, answer.body[:500]
                assert time.monotonic() - restarted < RECOVERY_SECONDS, "no recovery"
                time.sleep(0.2)
            recoveries.append(time.monotonic() - restarted)
            assert browser.request("/healthz").status == 200
            after = f"after-{outage}"
            assert change_axis(browser, plan, token, after).status == 303
            acknowledged.append(after)
            assert after in browser.request(partner_page(plan)).body

    stored = stored_axes(settings, plan)
    print(  # noqa: T201
        "\nPostgreSQL stopped (immediate, fast) under a uvicorn process: 503 while "
        "down; serving again "
        + ", ".join(f"{s:.1f} s" for s in recoveries)
        + " after the restart, no process restart"
    )
    assert [a for a in acknowledged if a not in stored] == []
    assert [r for r in refused if r in stored] == []


def attempt(call: Callable[[], object]) -> BaseException | None:
    """Run ``call``; the error it raised, or None."""
    try:
        call()
    except Exception as error:
        return error
    return None


@pytest.mark.postgres
def test_the_event_store_and_the_follower_recover_when_postgresql_returns(
    own_postgres: PostgresServer, tmp_path: Path
) -> None:
    """In one process: a command fails fast while the server is down, and the
    event store's pool, the read models' pool and the worker's follower (LISTEN)
    carry on once it is back, without reopening anything."""
    settings = Settings(
        data_dir=tmp_path, database_url=own_postgres.create_database(), secret_key="k"
    )
    stores = open_stores(settings)
    stop_following = threading.Event()
    follower = threading.Thread(
        target=stores.read_side.follow,
        args=(stop_following,),
        kwargs={"retry_seconds": 0.5},
    )
    try:
        governance, read_side = stores.governance, stores.read_side
        plan = a_plan(governance)
        coordinator, cid = Actor(plan.coordinator_id), UUID(plan.consortium_id)
        follower.start()
        own_postgres.halt("immediate")
        try:
            started = time.monotonic()
            with pytest.raises(persistence.OperationalError) as refused:
                governance.change_partner_axis(coordinator, cid, plan.partners[0], "x")
            refused_after = time.monotonic() - started
            assert refused_after < ANSWER_SECONDS
            assert classify(refused.value) == "unavailable", repr(refused.value)
            with pytest.raises(sqlalchemy.exc.OperationalError) as unreadable:
                read_side.position()
            assert classify(unreadable.value) == "unavailable"
            time.sleep(1.0)  # the follower fails and retries meanwhile
            assert follower.is_alive()
        finally:
            own_postgres.resume()
        restarted = time.monotonic()
        deadline = restarted + RECOVERY_SECONDS
        while True:
            error = attempt(
                lambda: governance.change_partner_axis(
                    coordinator, cid, plan.partners[0], "after"
                )
            )
            if error is None:
                break
            assert classify(error) == "unavailable", repr(error)
            assert time.monotonic() < deadline, "the event store did not recover"
            time.sleep(0.2)
        stored_after = time.monotonic() - restarted
        last = governance.recorder.max_notification_id()
        while read_side.position() < last:
            assert time.monotonic() < deadline, "the follower did not recover"
            time.sleep(0.1)
        print(  # noqa: T201
            f"\nPostgreSQL down: a command refused after {refused_after:.1f} s; "
            f"after the restart a command stored after {stored_after:.1f} s, the "
            f"follower caught up after {time.monotonic() - restarted:.1f} s"
        )
        axes = [
            e.axis
            for e in governance.events.get(cid)
            if isinstance(e, Consortium.PartnerAxisChanged)
        ]
        assert axes == ["after"]
    finally:
        stop_following.set()
        follower.join(timeout=10)
        stores.close()


# -- SQLite: a full disk -------------------------------------------------------------


def all_rows(read_side: ReadSide) -> dict[str, list[tuple[Any, ...]]]:
    with read_side.engine.connect() as connection:
        return {
            table.name: sorted(
                (tuple(row) for row in connection.execute(select(table))), key=repr
            )
            for table in metadata.sorted_tables
        }


def limit_file_size(pid: int, limit: int) -> None:
    """Set the process's soft ``RLIMIT_FSIZE`` (0: no file may grow at all)."""
    _soft, hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (limit, hard))


def test_a_full_disk_refuses_writes_with_507_and_loses_nothing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="k")
    plan = prepare(settings)
    acknowledged: list[str] = []
    refused: list[str] = []
    with web_process(settings) as (base, process):
        browser = Browser(base)
        token = browser.login(EMAIL, PASSWORD)
        for i in range(20):
            assert change_axis(browser, plan, token, f"before-{i}").status == 303
            acknowledged.append(f"before-{i}")
        # The browser's next page waits for its own commands to be applied (commands
        # answer before the read models catch up): applied before the disk fills.
        assert "before-19" in browser.request(partner_page(plan)).body

        limit_file_size(process.pid, 0)
        try:
            # Reading needs no write: pages still show what was saved.
            page = browser.request(partner_page(plan))
            assert page.status == 200
            assert "before-19" in page.body
            for i in range(5):
                answer = change_axis(browser, plan, token, f"full-{i}")
                assert answer.status == 507, (answer.status, answer.body[:500])
                assert FULL_EN in answer.body.replace("&#39;", "'")
                assert answer.headers.get("retry-after", "").isdigit()
                refused.append(f"full-{i}")
            french = browser.request(
                partner_page(plan) + "/axis",
                {"axis": "full-htmx"},
                htmx(token, "fr"),
            )
            assert french.status == 507
            assert FULL_FR in french.body.replace("&#39;", "'")
            assert french.headers["hx-retarget"] == "#alerts"
            refused.append("full-htmx")
            assert process.poll() is None, "the server died of SIGXFSZ"
        finally:
            limit_file_size(process.pid, resource.RLIM_INFINITY)

        for i in range(5):
            assert change_axis(browser, plan, token, f"after-{i}").status == 303
            acknowledged.append(f"after-{i}")
        assert "after-4" in browser.request(partner_page(plan)).body
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)

    stored = stored_axes(settings, plan)
    assert [a for a in acknowledged if a not in stored] == []
    assert [r for r in refused if r in stored] == []
    env = environment(settings)
    verified = CliRunner().invoke(main, ["audit", "verify"], env=env)
    assert verified.exit_code == 0, verified.output
    stores = open_stores(settings)
    try:
        stores.read_side.catch_up()
        kept = all_rows(stores.read_side)
        stores.read_side.rebuild()
        assert all_rows(stores.read_side) == kept
    finally:
        stores.close()


@contextmanager
def read_models_full(engine: Engine) -> Iterator[None]:
    """Every new read-model connection may not grow the file (SQLITE_FULL)."""
    with engine.connect() as connection:
        pages = int(connection.exec_driver_sql("PRAGMA page_count").scalar_one())

    def cap(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(engine, "connect", cap)
    engine.dispose()
    try:
        yield
    finally:
        event.remove(engine, "connect", cap)
        engine.dispose()


@contextmanager
def read_models_unwritable(engine: Engine) -> Iterator[None]:
    """Every new read-model connection refuses writes (SQLITE_READONLY)."""

    def read_only(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA query_only = ON")

    event.listen(engine, "connect", read_only)
    engine.dispose()
    try:
        yield
    finally:
        event.remove(engine, "connect", read_only)
        engine.dispose()


def positions(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return dict(
            connection.execute(select(tracking.c.name, tracking.c.position)).all()
        )


def test_a_projection_batch_on_a_full_disk_rolls_back_and_is_retried(
    tmp_path: Path,
) -> None:
    stores: Stores = open_stores(Settings(data_dir=tmp_path, secret_key="k"))
    try:
        governance, read_side = stores.governance, stores.read_side
        plan = a_plan(governance)
        read_side.catch_up()
        before_rows, before_positions = all_rows(read_side), positions(read_side.engine)
        for i in range(300):  # enough rows to need new pages in the read models
            governance.change_partner_axis(
                Actor(plan.coordinator_id),
                UUID(plan.consortium_id),
                plan.partners[i % 3],
                f"a long enough axis to fill pages {i} " * 4,
            )
        stop_following = threading.Event()
        with read_models_full(read_side.engine):
            with pytest.raises(Exception, match="database or disk is full"):
                read_side.catch_up()
            # All or nothing: the batch rolled back with its tracking positions.
            assert positions(read_side.engine) == before_positions
            assert all_rows(read_side) == before_rows
            follower = threading.Thread(
                target=read_side.follow,
                args=(stop_following,),
                kwargs={"poll_seconds": 0.05, "retry_seconds": 0.2},
            )
            follower.start()
            time.sleep(1.0)  # the follower fails and retries meanwhile
            assert follower.is_alive()
            assert positions(read_side.engine) == before_positions
        last = governance.recorder.max_notification_id()
        deadline = time.monotonic() + 10
        while read_side.position() < last and time.monotonic() < deadline:
            time.sleep(0.05)
        stop_following.set()
        follower.join(timeout=10)
        assert read_side.position() == last
        kept = all_rows(read_side)
        read_side.rebuild()
        assert all_rows(read_side) == kept
    finally:
        stores.close()


def test_a_command_saved_before_the_read_models_fail_is_acknowledged(
    tmp_path: Path,
) -> None:
    """The event store took the command; the read models could not be written
    (``PRAGMA query_only``, as on a file system remounted read-only). The command
    is acknowledged (it was saved), not refused with an error page that would make
    the person send it again; the page shows it once the read models catch up."""
    settings = Settings(
        data_dir=tmp_path,
        secret_key="k",
        scheduler=False,
        password_time_cost=1,
        password_memory_kib=8192,
    )
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        world = build_world(client)
        stores = stores_of(client)
        login(client, world.emails["coordinator"])
        page = f"/consortia/{world.consortium_id}/partners/{world.partner_id}"
        with read_models_unwritable(stores.read_side.engine):
            answer = post(client, page + "/axis", {"axis": "Saved meanwhile"})
            assert answer.status_code == 303
            stored = [
                e.axis
                for e in stores.governance.events.get(world.consortium_id)
                if isinstance(e, Consortium.PartnerAxisChanged)
            ]
            assert stored == ["Saved meanwhile"]
            last = stores.governance.recorder.max_notification_id()
            assert stores.read_side.position() < last  # not projected yet
            assert client.get(page).status_code == 200
        stores.read_side.catch_up()
        assert "Saved meanwhile" in client.get(page).text


# -- what counts as a database fault ------------------------------------------------


def test_real_driver_errors_are_classified(tmp_path: Path) -> None:
    import sqlite3

    import psycopg

    connection = sqlite3.connect(tmp_path / "small.db")
    connection.execute("CREATE TABLE t (x TEXT)")
    connection.execute("PRAGMA max_page_count = 2")
    with pytest.raises(sqlite3.Error) as full:
        connection.execute("INSERT INTO t VALUES (?)", ("x" * 100_000,))
    with pytest.raises(sqlite3.Error) as missing_table:
        connection.execute("SELECT * FROM nowhere")
    connection.close()
    with pytest.raises(psycopg.Error) as refused:
        psycopg.connect(
            f"postgresql://nobody@127.0.0.1:{free_port()}/x", connect_timeout=2
        )

    assert classify(full.value) == "full"
    assert classify(OSError(28, "No space left on device")) == "full"
    assert classify(refused.value) == "unavailable"
    wrapped = RuntimeError("wrapped")
    wrapped.__cause__ = refused.value
    assert classify(wrapped) == "unavailable"
    assert classify(missing_table.value) is None
    assert classify(psycopg.errors.SerializationFailure("conflict")) is None
    assert classify(ValueError("not a database error")) is None
