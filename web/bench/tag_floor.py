"""The 304s' floor: a bare Starlette endpoint that does only what no correct 304 of
a consortium's page can go without, on the benchmark's store.

Asked ``GET /consortia/{id}`` with the application's session cookie, it reads in
one statement, as the application does, the session's row by the cookie's hash
(who asks, and whether the session is still live), the person's role in the
consortium and the consortium's last history position (whether what the page shows
has changed), and compares an HMAC of them with ``If-None-Match``. On SQLite the
sessions are in the accounts' database, attached to the read models' connection
as the application's attached reads do (``web.ops.storage.attached_reads``). The
statement runs on a connection of SQLAlchemy's pool through the driver's own
cursor, as the application's reads do (``projections.driver_reads``): the leanest
way the chosen pieces allow, on the same files or database as the application,
served by the same uvicorn; nothing of ours but the tables' names and the session
cookie's name and hashing (``web.auth.cookie_name``,
``web.identity.tokens.digest``). As the application does, it reads on the event
loop on SQLite and in a worker thread on PostgreSQL (where the read is a round trip
that must not hold the loop).

What the application's 304 does besides is its own: the unread count and the
reminders in the header, the projections' agreement, the preferences, and its
middleware (request id, security headers, own writes, database faults, the route
table).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, create_engine, event
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.auth import cookie_name
from web.identity.tokens import digest
from web.ops.storage import sqlalchemy_url
from web.settings import Settings

FACTS = (
    "SELECT s.account_id, s.csrf_token, m.role, (SELECT max(position) "
    "FROM consortium_history WHERE consortium_id = {p}) "
    "FROM {sessions} AS s LEFT JOIN memberships AS m "
    "ON m.consortium_id = {p} AND m.account_id = s.account_id "
    "WHERE s.session_hash = {p} AND s.expires_at > {p}"
)
SQLITE_MOMENT = "%Y-%m-%d %H:%M:%S.%f"
"""How SQLAlchemy stores a moment in SQLite (text that sorts as time does)."""


@dataclass(frozen=True)
class _Stores:
    reads: Engine
    secret: bytes
    postgres: bool
    facts_sql: str


def _stores(settings: Settings) -> _Stores:
    secret = settings.secret_key.encode()
    if settings.database_url:
        engine = create_engine(
            sqlalchemy_url(settings.database_url), pool_pre_ping=False
        )
        return _Stores(engine, secret, True, FACTS.format(p="%s", sessions="sessions"))
    reads = create_engine(f"sqlite:///{settings.data_dir / 'read.db'}")
    accounts = str(settings.data_dir / "app.db")

    @event.listens_for(reads, "connect")
    def _attach(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("ATTACH DATABASE ? AS accounts", (accounts,))

    return _Stores(
        reads, secret, False, FACTS.format(p="?", sessions="accounts.sessions")
    )


def _first(engine: Engine, sql: str, parameters: tuple[Any, ...]) -> Any:
    """The first row of ``sql`` on a pooled connection's driver cursor."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(sql, parameters)
            return cursor.fetchone()
        finally:
            cursor.close()
    finally:
        connection.close()  # back to the pool, rolled back


def page_tag(
    stores: _Stores, token: str, consortium_id: str, path: str, now: datetime
) -> str | None:
    """The tag of the page for this session, or None (no live session, not a
    member)."""
    moment = now if stores.postgres else now.strftime(SQLITE_MOMENT)
    facts = _first(
        stores.reads,
        stores.facts_sql,
        (consortium_id, consortium_id, digest(token), moment),
    )
    if facts is None or facts[0] is None or facts[2] is None:
        return None  # no live session of a person, or not a member
    account_id, csrf_token, role, position = facts
    parts = (path, token, csrf_token, account_id, role, str(position), now.date())
    signed = hmac.new(
        stores.secret, "\x1f".join(map(str, parts)).encode(), hashlib.sha256
    )
    return f'W/"{signed.hexdigest()[:32]}"'


def floor_app() -> Starlette:
    """The endpoint on the store the environment names (as ``consortium serve``)."""
    stores = _stores(Settings.from_env())

    def answer(request: Request) -> Response:
        tag = page_tag(
            stores,
            request.cookies.get(cookie_name(request), ""),
            request.path_params["consortium_id"],
            request.scope["path"],
            datetime.now(UTC),
        )
        if tag is None:
            return Response("not found", status_code=404)
        headers = {"ETag": tag, "Cache-Control": "private, no-cache"}
        if request.headers.get("if-none-match") == tag:
            return Response(status_code=304, headers=headers)
        return Response("tagged", headers=headers)

    async def endpoint(request: Request) -> Response:
        if stores.postgres:
            return await run_in_threadpool(answer, request)
        return answer(request)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        stores.reads.dispose()

    return Starlette(
        routes=[Route("/consortia/{consortium_id}", endpoint)], lifespan=lifespan
    )
