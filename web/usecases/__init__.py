"""Use cases that span stores, each a small service the routes call once.

Inviting a person (the consortium's command, the invitation token, the e-mail) and
accepting (the command, the token spent), sending a password reset link (the
token, the e-mail) and erasing an account (the accounts store, the outbox, the
throttle). The stores they write live in one database (``app.db`` on SQLite, the
one database on PostgreSQL), so each use case commits its rows in one transaction;
the ones that send e-mail run once per request key (``keys.py``), so a request sent
twice sends one e-mail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from governance.application import Governance
from notifications.emails import MailRenderer
from web.identity.store import Accounts
from web.links import EmailLinks
from web.usecases.erasure import EraseAccount
from web.usecases.invitations import Invitations, InvitationSent
from web.usecases.keys import KEY_FIELD, RequestKeys, new_request_key, request_key
from web.usecases.password_resets import SendResetLink

__all__ = [
    "KEY_FIELD",
    "EraseAccount",
    "InvitationSent",
    "Invitations",
    "RequestKeys",
    "SendResetLink",
    "UseCases",
    "new_request_key",
    "request_key",
]


@dataclass(frozen=True)
class UseCases:
    """The process's use cases, over its stores."""

    keys: RequestKeys
    invitations: Invitations
    password_resets: SendResetLink
    erasure: EraseAccount

    @classmethod
    def over(
        cls,
        *,
        governance: Governance,
        accounts: Accounts,
        read_engine: Engine,
        renderer: MailRenderer,
        links: EmailLinks,
        invitation_days: int,
        clock: Callable[[], datetime],
    ) -> UseCases:
        """The use cases over these stores (the outbox shares the accounts'
        database: ``accounts.engine``)."""
        keys = RequestKeys(accounts.engine, clock)
        return cls(
            keys=keys,
            invitations=Invitations(
                engine=accounts.engine,
                keys=keys,
                governance=governance,
                read_engine=read_engine,
                renderer=renderer,
                box=accounts.box,
                links=links,
                invitation_days=invitation_days,
                clock=clock,
            ),
            password_resets=SendResetLink(
                keys=keys,
                accounts=accounts,
                renderer=renderer,
                links=links,
                clock=clock,
            ),
            erasure=EraseAccount(accounts.engine, accounts.throttle, clock),
        )
