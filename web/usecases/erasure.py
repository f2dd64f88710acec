"""Erasing an account (GDPR): the accounts store, the outbox and the throttle.

The person's rows in the accounts store (``web/identity/erasure.py``) and the
e-mails queued to them (the outbox's ``forget_recipient``) go in one transaction;
their failed-attempt counts are cleared after. The erased id is the key: erasing
it again finds nothing to erase and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, Engine

from notifications.notice_store import forget_account
from notifications.outbox import forget_recipient
from notifications.webhooks.records import PORTFOLIO
from notifications.webhooks.store import forget as forget_webhooks
from web.identity.erasure import erase_person
from web.identity.throttle import (
    LOGIN_ACCOUNT,
    REAUTHENTICATE,
    RESET_EMAIL,
    SECOND_FACTOR,
    Throttle,
)
from web.identity.transactions import write_rerunning_duplicates

logger = logging.getLogger(__name__)


class EraseAccount:
    """Erases accounts from the accounts store, the outbox and the throttle."""

    def __init__(
        self, engine: Engine, throttle: Throttle, clock: Callable[[], datetime]
    ) -> None:
        self.engine = engine
        self.throttle = throttle
        self.clock = clock

    def erase(self, account_id: str) -> bool:
        """Remove the account's personal data, keeping its id as a pseudonym.

        Its e-mails waiting in the outbox and its failed-attempt counters go too.
        False if there was no such account (erased already): nothing changes.
        """

        def write(connection: Connection) -> str | None:
            email = erase_person(connection, account_id, now=self.clock())
            if email is not None:
                forget_recipient(connection, email)
                forget_account(connection, account_id)  # their notices and reads
                # Their portfolio's webhooks, with the deliveries queued for them.
                forget_webhooks(connection, PORTFOLIO, account_id)
            return email

        # Asked twice at once, the second finds the account erased: False.
        email = write_rerunning_duplicates(self.engine, write)
        if email is None:
            return False
        for limit in (LOGIN_ACCOUNT, RESET_EMAIL):
            self.throttle.forget(limit, email)
        for limit in (SECOND_FACTOR, REAUTHENTICATE):
            self.throttle.forget(limit, account_id)
        return True
