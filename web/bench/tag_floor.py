"""The 304s' floor: a bare Starlette endpoint that does only what no correct 304 of
a consortium's page can go without, on the benchmark's store.

Asked ``GET /consortia/{id}`` with the application's session cookie, it reads the
session's row by the cookie's hash (the accounts' database: who asks, and whether
the session is still live), then the person's role in the consortium and the
consortium's last history position in one statement (the read models' database:
whether what the page shows has changed), and compares an HMAC of them with
``If-None-Match``. The statements go through SQLAlchemy Core (its engines' defaults,
its compiled cache) on the same files or database as the application, served by the
same uvicorn: nothing of ours but the tables' shapes. As the application does, it
reads on the event loop on SQLite and in a worker thread on PostgreSQL (where each
read is a round trip that must not hold the loop).

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
from pathlib import Path

from sqlalchemy import Engine, bindparam, create_engine, func, select
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from projections.history.tables import history
from projections.members import memberships
from web.identity.tables import sessions
from web.ops.storage import sqlalchemy_url
from web.settings import Settings

COOKIE = "session"
"""The application's session cookie over http (the benchmark's loopback)."""

# Built once, with bound parameters: SQLAlchemy then compiles each once (its cache).
_SESSION = select(sessions.c.account_id, sessions.c.csrf_token).where(
    sessions.c.session_hash == bindparam("hash"),
    sessions.c.expires_at > bindparam("now"),
)
_FACTS = select(
    memberships.c.role,
    select(func.max(history.c.position))
    .where(history.c.consortium_id == memberships.c.consortium_id)
    .scalar_subquery()
    .label("position"),
).where(
    memberships.c.consortium_id == bindparam("consortium_id"),
    memberships.c.account_id == bindparam("account_id"),
)


@dataclass(frozen=True)
class _Stores:
    accounts: Engine
    reads: Engine
    secret: bytes
    threaded: bool


def _stores(settings: Settings) -> _Stores:
    if settings.database_url:
        engine = create_engine(
            sqlalchemy_url(settings.database_url), pool_pre_ping=False
        )
        return _Stores(engine, engine, settings.secret_key.encode(), threaded=True)
    return _Stores(
        _sqlite(settings.data_dir / "app.db"),
        _sqlite(settings.data_dir / "read.db"),
        settings.secret_key.encode(),
        threaded=False,
    )


def _sqlite(path: Path) -> Engine:
    return create_engine(f"sqlite:///{path}")


def page_tag(
    stores: _Stores, token: str, consortium_id: str, path: str, now: datetime
) -> str | None:
    """The tag of the page for this session, or None (no live session, not a
    member)."""
    with stores.accounts.connect() as connection:
        session = connection.execute(
            _SESSION, {"hash": hashlib.sha256(token.encode()).hexdigest(), "now": now}
        ).first()
    if session is None or session.account_id is None:
        return None
    with stores.reads.connect() as connection:
        facts = connection.execute(
            _FACTS,
            {"consortium_id": consortium_id, "account_id": session.account_id},
        ).first()
    if facts is None:
        return None
    parts = (
        path,
        token,
        session.csrf_token,
        session.account_id,
        facts.role,
        str(facts.position),
        now.date().isoformat(),
    )
    digest = hmac.new(stores.secret, "\x1f".join(parts).encode(), hashlib.sha256)
    return f'W/"{digest.hexdigest()[:32]}"'


def floor_app() -> Starlette:
    """The endpoint on the store the environment names (as ``consortium serve``)."""
    stores = _stores(Settings.from_env())

    def answer(request: Request) -> Response:
        tag = page_tag(
            stores,
            request.cookies.get(COOKIE, ""),
            request.path_params["consortium_id"],
            request.url.path,
            datetime.now(UTC),
        )
        if tag is None:
            return Response("not found", status_code=404)
        headers = {"ETag": tag, "Cache-Control": "private, no-cache"}
        if request.headers.get("if-none-match") == tag:
            return Response(status_code=304, headers=headers)
        return Response("tagged", headers=headers)

    async def endpoint(request: Request) -> Response:
        if stores.threaded:
            return await run_in_threadpool(answer, request)
        return answer(request)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        stores.accounts.dispose()
        stores.reads.dispose()

    return Starlette(
        routes=[Route("/consortia/{consortium_id}", endpoint)], lifespan=lifespan
    )
