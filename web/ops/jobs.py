"""Wiring the periodic jobs: who people are, how mail leaves, the signing key, which
rows of the accounts store expire, the evidence sweep.

The composition root's part of notifications: ``notifications`` knows nothing of
accounts or settings, so this module hands it a directory of recipients (from the
accounts and their preferences), a transport (SMTP from ``CONSORTIUM_SMTP_*``, else a
local mailbox file) and the page catalogues for the e-mail bodies.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from sqlalchemy import select

from notifications.checkpoints import load_or_create_key
from notifications.emails import Delivery, MailRenderer, Recipient
from notifications.leader import Leadership
from notifications.mail import MailboxTransport, SmtpTransport, Transport
from notifications.notice_emails import NoticeRenderer
from notifications.notices import NoticePipeline
from notifications.reminders import ReminderPipeline
from notifications.scheduler import Jobs
from projections.consortia import consortia
from web.i18n import catalogues
from web.identity.store import Accounts
from web.links import EmailLinks
from web.ops.audit_requests import POLL_SECONDS, AuditVerifications
from web.ops.audit_scope import run_requested
from web.ops.evidence_sweep import EvidenceSweep
from web.ops.webhooks import WEBHOOK_POLLER, webhook_poller
from web.settings import Settings
from web.stores import Stores

logger = logging.getLogger(__name__)

MAILBOX_FILE = "mailbox.mbox"
AUDIT_POLLER = "audit_verifications"
POLLERS = (AUDIT_POLLER, WEBHOOK_POLLER)
"""The pollers' names, as their runs are recorded (``Jobs.poll``)."""
# People who never chose a language get French e-mails: the users are French consortia.
MAIL_LANGUAGE = "fr"


class AccountDirectory:
    """Recipients from the accounts store and each person's preferences."""

    def __init__(
        self, accounts: Accounts, default_language: str = MAIL_LANGUAGE
    ) -> None:
        self.accounts = accounts
        self.default_language = default_language

    def recipients(self, account_ids: Iterable[str]) -> dict[str, Recipient]:
        found: dict[str, Recipient] = {}
        for account, preferences in self.accounts.recipients(set(account_ids)):
            try:
                delivery = Delivery(preferences.delivery)
            except ValueError:
                delivery = Delivery.IMMEDIATE
            found[account.account_id] = Recipient(
                account_id=account.account_id,
                email=account.email,
                name=account.display_name,
                language=preferences.language or self.default_language,
                delivery=delivery,
                disabled=account.disabled,
            )
        return found


def transport_for(settings: Settings) -> Transport:
    """SMTP when a host is configured, else the local mailbox file (said in the log)."""
    if settings.smtp is not None:
        return SmtpTransport(settings.smtp)
    path = settings.data_dir / MAILBOX_FILE
    logger.info("mail.no_smtp: e-mails are written to the mailbox file %s", path)
    return MailboxTransport(path)


def make_jobs(
    stores: Stores,
    settings: Settings,
    transport: Transport | None = None,
    *,
    notices: bool = True,
) -> Jobs:
    """The periodic jobs of this process, with reminders and leadership.

    ``notices=False`` leaves the notices of steps out (tests of reminders alone).
    """
    renderer = MailRenderer(
        catalogues(), settings.link_base_url, EmailLinks(settings.link_base_url)
    )
    directory = AccountDirectory(stores.accounts, MAIL_LANGUAGE)
    pipeline = ReminderPipeline(
        governance=stores.governance,
        read_side=stores.read_side,
        outbox=stores.outbox,
        directory=directory,
        renderer=renderer,
        transport=transport or transport_for(settings),
        sender=settings.mail_sender,
        notices=notice_pipeline(stores, settings, directory) if notices else None,
    )
    return Jobs(
        governance=stores.governance,
        read_side=stores.read_side,
        reminders=pipeline,
        leadership=Leadership(stores.outbox.engine),
        health=stores.health,
        checkpoint_key=load_or_create_key(settings.audit_key_path),
        housekeeping=(
            # Expired sessions and pending logins, and attempts past every window.
            lambda now: f"sessions_purged={stores.accounts.purge_sessions(now=now)}",
            lambda now: f"attempts_purged={stores.accounts.throttle.purge(now)}",
            # Request keys past their day (web/usecases/keys.py).
            lambda now: f"request_keys_purged={stores.usecases.keys.purge(now)}",
            # Unreferenced evidence files past their grace period (hourly).
            EvidenceSweep(settings, stores.evidence),
        ),
        now=stores.clock.now,
        pollers=[audit_poller(stores, settings), webhook_poller(stores, settings)],
    )


def notice_pipeline(
    stores: Stores, settings: Settings, directory: AccountDirectory
) -> NoticePipeline:
    """The notices of the steps that wait on someone, e-mailed through the outbox."""

    def consortium_name(consortium_id: str) -> str:
        with stores.read_side.engine.connect() as connection:
            return str(
                connection.scalar(
                    select(consortia.c.name).where(
                        consortia.c.consortium_id == consortium_id
                    )
                )
                or ""
            )

    def person_name(account_id: str) -> str:
        return stores.accounts.names({account_id}).get(account_id, "?")

    renderer = NoticeRenderer(
        catalogues(),
        settings.base_url,
        EmailLinks(settings.base_url),
        consortium_name,
        person_name,
    )
    return NoticePipeline(stores.read_side, stores.notices, directory, renderer)


def audit_poller(
    stores: Stores, settings: Settings
) -> tuple[str, Callable[[], object], int]:
    """The job that runs the verifications consortia asked for ("Verify now")."""
    requests = AuditVerifications(stores.accounts.engine)
    return (
        AUDIT_POLLER,
        lambda: f"verified={run_requested(requests, settings, stores.clock.now)}",
        POLL_SECONDS,
    )
