"""Invitations: inviting a person (the consortium's command, the one-time token,
the e-mail) and accepting (the command, the token spent).

The invitation is an event of the consortium (who is invited to which role); the
address and the token stay in the accounts store, and the e-mail with the link
goes through the outbox. Token, e-mail and request key commit in one transaction
of the application database, after the command: a command the domain refuses
leaves nothing behind, and a request sent again with its key gets the first
invitation back (its link unsealed again) instead of a second one. Accepting
spends the token in the transaction around the command, so the link is spent if
and only if the person joined.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, Engine

from governance.actor import Actor
from governance.application import Governance
from governance.errors import NotFound
from governance.values import MemberRole
from notifications.emails import MailRenderer
from notifications.outbox import queue
from projections.consortia import consortium_details
from web.identity.invitations import (
    InvitationToken,
    insert_invitation_token,
    spend_invitation_token,
)
from web.identity.secret_box import SecretBox, UnreadableSecret
from web.links import EmailLinks
from web.presentation.labels import LABELS
from web.usecases.keys import RequestKeys

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class InvitationSent:
    """An invitation issued and its e-mail queued."""

    invitation_id: str
    position: int
    # "" when a copy of the request finds it sealed under a key since replaced.
    link: str


class Invitations:
    """Invites a person to a role in a consortium (once per request key), and
    lets them accept."""

    def __init__(
        self,
        *,
        engine: Engine,
        keys: RequestKeys,
        governance: Governance,
        read_engine: Engine,
        renderer: MailRenderer,
        box: SecretBox,
        links: EmailLinks,
        invitation_days: int,
        clock: Callable[[], datetime],
    ) -> None:
        self.engine = engine
        self.keys = keys
        self.governance = governance
        self.read_engine = read_engine
        self.renderer = renderer
        self.box = box
        self.links = links
        self.invitation_days = invitation_days
        self.clock = clock

    def invite(
        self,
        actor: Actor,
        inviter: str,
        consortium_id: UUID,
        *,
        email: str,
        role: MemberRole,
        partner_id: str | None,
        language: str,
        key: str | None,
        base_url: str | None = None,
    ) -> InvitationSent:
        """Issue the invitation, keep its token and queue its e-mail in ``language``.

        ``inviter`` is the name the e-mail gives; ``base_url`` the public address
        its link starts with (default: the one the use cases were built with).
        Raises what the service raises (``NotPermitted``, ``RuleViolated``),
        leaving nothing behind.
        """
        now = self.clock()
        expires_at = now + timedelta(days=self.invitation_days)
        if language not in self.renderer.catalogues:
            language = "en"
        role_label = self.renderer.catalogues[language].gettext(LABELS[role])

        def work(connection: Connection, _request: str) -> dict[str, Any]:
            created = self.governance.issue_invitation(
                actor, consortium_id, role, partner_id, expires_at
            )
            token = insert_invitation_token(
                connection,
                invitation_id=created.id,
                consortium_id=str(consortium_id),
                email=email,
                expires_at=expires_at,
                now=now,
            )
            # The address the coordinator uses, when the page knows it.
            links = EmailLinks(base_url) if base_url else self.links
            link = links.invitation(token)
            message = self.renderer.invitation(
                invitation_id=created.id,
                recipient=email,
                inviter=inviter,
                consortium=self._name(consortium_id),
                role=role_label,
                link=link,
                language=language,
            )
            queue(connection, message, now=now)
            logger.info(
                "invitation.queued invitation=%s consortium=%s",
                created.id,
                consortium_id,
            )
            return {
                "invitation_id": created.id,
                "position": created.position,
                # The link opens the invitation: kept sealed, like TOTP secrets.
                "link": self.box.seal(link, created.id),
            }

        scope = [actor.account_id, str(consortium_id), email.strip().lower()]
        scope += [role.value, partner_id or ""]
        run = self.keys.once("invite", scope, key, work)
        invitation_id = str(run.result["invitation_id"])
        if run.replayed:
            logger.info("invitation.replayed invitation=%s", invitation_id)
        try:
            link = self.box.open(str(run.result["link"]), invitation_id)
        except UnreadableSecret:
            link = ""  # sealed under a key since replaced: the e-mail has it
        return InvitationSent(invitation_id, int(run.result["position"]), link)

    def accept(
        self,
        actor: Actor,
        consortium_id: UUID,
        token: str,
        invitation: InvitationToken,
    ) -> int:
        """The person joins with the role offered, and the link is spent.

        Raises ``NotFound`` if the link was spent meanwhile (a copy of the request
        sent at once waits for the first, then finds it spent), and what the
        service raises, the link then left as it was.
        """
        with self.engine.begin() as connection:
            if not spend_invitation_token(connection, token, now=self.clock()):
                raise NotFound("invitation", "")
            return self.governance.accept_invitation(
                actor, consortium_id, invitation.invitation_id
            )

    def _name(self, consortium_id: UUID) -> str:
        with self.read_engine.connect() as connection:
            details = consortium_details(connection, str(consortium_id))
        return details.name if details else ""
