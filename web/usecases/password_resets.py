"""A forgotten password: a one-time link in the accounts store, sent by e-mail.

The link's token and its e-mail commit in one transaction with the request's key:
a request sent again with its key queues no second link. The e-mail goes out in
the language the person chose, else in the page's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from notifications.emails import MailRenderer
from notifications.outbox import queue
from web.i18n import LANGUAGES
from web.identity.accounts import normalise_email
from web.identity.password_resets import RESET_LIFETIME, insert_reset_token
from web.identity.store import Accounts
from web.links import EmailLinks
from web.usecases.keys import RequestKeys

logger = logging.getLogger(__name__)


class SendResetLink:
    """Sends a password reset link, once per request key."""

    def __init__(
        self,
        *,
        keys: RequestKeys,
        accounts: Accounts,
        renderer: MailRenderer,
        links: EmailLinks,
        clock: Callable[[], datetime],
    ) -> None:
        self.keys = keys
        self.accounts = accounts
        self.renderer = renderer
        self.links = links
        self.clock = clock

    def send(self, email: str, *, language: str, key: str | None) -> bool:
        """Queue a reset link to the enabled account using ``email``.

        False (and nothing queued) when no enabled account uses it; the caller
        answers the same either way. ``language`` is the page's, used when the
        person never chose one.
        """
        account = self.accounts.by_email(email)
        if account is None or account.disabled:
            return False
        chosen = self.accounts.preferences(account.account_id).language
        if chosen not in LANGUAGES:
            chosen = language

        def work(connection: Connection, request: str) -> dict[str, Any]:
            # Reset links live by the accounts store's clock (the throttle's).
            token = insert_reset_token(
                connection, account.account_id, now=self.accounts.now()
            )
            message = self.renderer.password_reset(
                request_id=request,
                recipient=account.email,
                name=account.display_name,
                link=self.links.password_reset(token),
                minutes=int(RESET_LIFETIME.total_seconds() // 60),
                language=chosen,
            )
            queue(connection, message, now=self.clock())
            logger.info("reset.queued account=%s", account.account_id)
            return {}

        run = self.keys.once("password_reset", [normalise_email(email)], key, work)
        if run.replayed:
            logger.info("reset.replayed account=%s", account.account_id)
        return True
