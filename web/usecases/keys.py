"""Request keys: a use case runs once per request, however often it is sent.

A form that starts a use case carries a key made when the page was rendered (the
hidden field ``request_key``): a request sent again (a double click, a browser or a
proxy retrying after a lost answer) carries the same key. ``RequestKeys.once`` runs
the use case's work in one transaction of the application database with the key's
row, so the key, the tokens and the e-mails it stores commit together or not at all;
a request with the same key and the same content then gets the first run's result
back, without running anything. The row is inserted first: a copy sent at the same
moment waits for the first one's transaction (the row's lock on PostgreSQL, the
write lock on SQLite) and then reads its result.

A request without a well-formed key (an older page, a script) is a request of its
own, as before. Keys are kept ``KEY_LIFETIME``, then purged by the housekeeping
job. Only a digest of the key and what the request was about is stored, and a
result holds ids and sealed secrets, never an address.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from projections.base import UtcDateTime

KEY_FIELD = "request_key"
KEY_LIFETIME = timedelta(days=1)
_KEY_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")

metadata = MetaData()

request_keys = Table(
    "request_keys",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("use_case", String(32), nullable=False),
    Column("created_at", UtcDateTime, nullable=False, index=True),
    Column("result", Text, nullable=False),
)

Work = Callable[[Connection, str], dict[str, Any]]


def new_request_key() -> str:
    """A fresh key for a form that starts a use case (rendered in a hidden field)."""
    return secrets.token_urlsafe(18)


def request_key(fields: Mapping[str, str]) -> str | None:
    """The key a submitted form carries, if well formed (else None: no key)."""
    text = fields.get(KEY_FIELD, "")
    return text if _KEY_SHAPE.fullmatch(text) else None


@dataclass(frozen=True)
class Run:
    """What ``once`` answers: the result, whether it is a former run's, and the
    digest that names the request (for ids derived from it)."""

    result: dict[str, Any]
    replayed: bool
    key_hash: str


class _Taken(Exception):
    """The key's row exists: the request ran already."""


class RequestKeys:
    """The ``request_keys`` table of the application database."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.clock = clock

    def create_tables(self) -> None:
        """Create the table if missing (idempotent)."""
        metadata.create_all(self.engine)

    def once(
        self, use_case: str, scope: Sequence[str], key: str | None, work: Work
    ) -> Run:
        """Run ``work`` once for this key and scope; a copy gets its result.

        ``scope`` is what the request is about (who asks, the address, the role…):
        the same key sent with other content is another request. ``work`` gets the
        open transaction and the request's digest, and returns a JSON-able result;
        if it raises, nothing is kept, the key included.
        """
        key_hash = _digest(use_case, scope, key or new_request_key())
        now = self.clock()
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    delete(request_keys).where(
                        request_keys.c.key_hash == key_hash,
                        request_keys.c.created_at < now - KEY_LIFETIME,
                    )
                )
                try:
                    connection.execute(
                        insert(request_keys).values(
                            key_hash=key_hash,
                            use_case=use_case,
                            created_at=now,
                            result="",
                        )
                    )
                except IntegrityError as taken:
                    raise _Taken from taken
                result = work(connection, key_hash)
                connection.execute(
                    update(request_keys)
                    .where(request_keys.c.key_hash == key_hash)
                    .values(result=json.dumps(result))
                )
        except _Taken:
            return Run(self._result(key_hash), True, key_hash)
        return Run(result, False, key_hash)

    def _result(self, key_hash: str) -> dict[str, Any]:
        with self.engine.connect() as connection:
            stored = connection.scalar(
                select(request_keys.c.result).where(request_keys.c.key_hash == key_hash)
            )
        loaded: dict[str, Any] = json.loads(stored) if stored else {}
        return loaded

    def purge(self, now: datetime) -> int:
        """Forget keys older than ``KEY_LIFETIME``; returns how many."""
        with self.engine.begin() as connection:
            return connection.execute(
                delete(request_keys).where(
                    request_keys.c.created_at < now - KEY_LIFETIME
                )
            ).rowcount


def _digest(use_case: str, scope: Sequence[str], key: str) -> str:
    text = "\x00".join([use_case, *scope, key])
    return hashlib.sha256(text.encode()).hexdigest()
