"""Calendar feeds: a secret address per person for their deadlines (iCalendar)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, insert, select

from web.identity.accounts import Account, account_from_row
from web.identity.tables import accounts, calendar_feeds
from web.identity.tokens import digest
from web.identity.transactions import write_rerunning_duplicates


class CalendarFeedStore:
    """The ``calendar_feeds`` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def new_calendar_token(self, account_id: str, *, now: datetime) -> str:
        """A fresh secret for the account's calendar feed; the old one stops working."""
        token = secrets.token_urlsafe(32)

        def write(connection: Connection) -> None:
            connection.execute(
                delete(calendar_feeds).where(calendar_feeds.c.account_id == account_id)
            )
            connection.execute(
                insert(calendar_feeds).values(
                    token_hash=digest(token), account_id=account_id, created_at=now
                )
            )

        write_rerunning_duplicates(self.engine, write)
        return token

    def calendar_account(self, token: str) -> Account | None:
        """The enabled account whose calendar feed this secret opens, if any."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(accounts)
                .join(
                    calendar_feeds, calendar_feeds.c.account_id == accounts.c.account_id
                )
                .where(calendar_feeds.c.token_hash == digest(token))
            ).first()
        if row is None or row.disabled:
            return None
        return account_from_row(row)

    def has_calendar_feed(self, account_id: str) -> bool:
        """Whether the account has made a calendar feed address."""
        with self.engine.connect() as connection:
            return (
                connection.scalar(
                    select(calendar_feeds.c.token_hash).where(
                        calendar_feeds.c.account_id == account_id
                    )
                )
                is not None
            )
