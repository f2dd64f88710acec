"""Preferences: how a person wants to be told (e-mail language, delivery) and when
they last looked at their notifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, insert, select, update

from web.identity.accounts import Account, account_from_row
from web.identity.tables import accounts, preferences
from web.identity.transactions import write_rerunning_duplicates


@dataclass(frozen=True)
class Preferences:
    """How a person wants to be told: e-mail language, delivery, last look."""

    language: str | None
    delivery: str
    notifications_seen_at: datetime | None


DEFAULT_PREFERENCES = Preferences(None, "immediate", None)
"""A person's preferences before they set any."""


class PreferenceStore:
    """The ``preferences`` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def preferences(self, account_id: str) -> Preferences:
        """A person's preferences (defaults when never set)."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(preferences).where(preferences.c.account_id == account_id)
            ).first()
        if row is None:
            return DEFAULT_PREFERENCES
        return Preferences(row.language, row.delivery, row.notifications_seen_at)

    def update_preferences(self, account_id: str, **values: object) -> None:
        """Change some of a person's preferences (language, delivery, seen at)."""

        def write(connection: Connection) -> None:
            changed = connection.execute(
                update(preferences)
                .where(preferences.c.account_id == account_id)
                .values(**values)
            ).rowcount
            if not changed:
                connection.execute(
                    insert(preferences).values(account_id=account_id, **values)
                )

        write_rerunning_duplicates(self.engine, write)

    def recipients(self, account_ids: set[str]) -> list[tuple[Account, Preferences]]:
        """Accounts with their preferences (unknown ids are left out)."""
        if not account_ids:
            return []
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(accounts, preferences.c.language, preferences.c.delivery)
                .outerjoin(
                    preferences, preferences.c.account_id == accounts.c.account_id
                )
                .where(accounts.c.account_id.in_(account_ids))
            )
            return [
                (
                    account_from_row(r),
                    Preferences(r.language, r.delivery or "immediate", None),
                )
                for r in rows
            ]
