"""E-mail bodies, in the recipient's language: reminders and digests, invitations
and password reset links.

Templates (text and HTML) live in ``notifications/templates/email``; the
translations are handed in by the composition root (the same catalogues as the
pages). Message-IDs are deterministic: a reminder's is derived from its id, a
digest's from its recipient and day, an invitation's from the invitation and a
reset link's from the request that asked for it, so a message sent twice after a
crash carries the same Message-ID and mail clients can drop the copy.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Protocol
from urllib.parse import urlsplit
from uuid import UUID, uuid5

from babel.dates import format_date
from jinja2 import Environment, PackageLoader, select_autoescape

from notifications.outbox import Message

# Fixed forever: a digest sent again after a crash must keep its Message-ID.
DIGEST_NAMESPACE = UUID("0d6b8a52-3f7e-4a51-b1f4-6a9e2c5d7b30")
# Fixed forever too: the Message-ID of a reset link's e-mail, from its request.
RESET_NAMESPACE = UUID("6f1c2e84-5a0b-4d7e-9c3a-2b8e41d07f55")


def _long_date(day: date, language: str) -> str:
    # English dates in e-mails read day first ("23 September 2026"), as on the pages.
    return format_date(day, "long", locale="en_GB" if language == "en" else language)


class Delivery(Enum):
    """How a person wants to receive reminders."""

    IMMEDIATE = "immediate"
    DIGEST = "digest"
    IN_APP = "in_app"


@dataclass(frozen=True)
class Recipient:
    """A person reminders are addressed to."""

    account_id: str
    email: str
    name: str
    language: str
    delivery: Delivery
    disabled: bool = False


@dataclass(frozen=True)
class ReminderItem:
    """One reminder, with what its e-mail says."""

    reminder_id: str
    consortium_id: str
    obligation_id: str
    consortium_name: str
    report_title: str
    funder: str
    due_on: date
    escalation: int
    # What it reminds of: "report", "deliverable" (whose title is in
    # ``report_title``, and which has no funder), or "application" (the call's
    # closing date: the call's name in ``report_title``, its funder in ``funder``),
    # "statement" (a partner's: the report's title, the partner's name in
    # ``funder``) or "tranche" (its label in ``report_title``, due on the day it
    # was found ready).
    about: str = "report"


@dataclass(frozen=True)
class _Shown:
    report_title: str
    consortium_name: str
    funder: str
    due_text: str
    days_left: int
    link: str
    escalation: int
    about: str


class MailLinks(Protocol):
    """The absolute addresses reminders link to.

    Given by the composition root, which builds them from its route table:
    notifications knows what a link is for, never where the application puts it.
    """

    def preferences(self) -> str:
        """Where a person chooses how reminders reach them."""
        ...

    def report(self, consortium_id: str, obligation_id: str) -> str:
        """The page of the report a reminder is about."""
        ...

    def deliverable(self, consortium_id: str, deliverable_id: str) -> str:
        """The page of the deliverable a reminder is about."""
        ...

    def application(self, consortium_id: str) -> str:
        """The page of the call a reminder of its closing date is about."""
        ...

    def expenses(self, consortium_id: str) -> str:
        """The expenses page a reminder of a partner's statement is about."""
        ...

    def funding(self, consortium_id: str) -> str:
        """The funding page a reminder of a tranche ready to be paid is about."""
        ...


class MailRenderer:
    """Renders reminder e-mails and digests with the page catalogues."""

    def __init__(
        self,
        catalogues: Mapping[str, gettext.NullTranslations],
        base_url: str,
        links: MailLinks,
    ) -> None:
        # The site's host names the Message-IDs; the links come from ``links``.
        self.domain = urlsplit(base_url).hostname or "localhost"
        self.links = links
        self.catalogues = dict(catalogues)
        self._environments = {
            language: self._environment(translations)
            for language, translations in self.catalogues.items()
        }

    @staticmethod
    def _environment(translations: gettext.NullTranslations) -> Environment:
        environment = Environment(
            loader=PackageLoader("notifications", "templates"),
            autoescape=select_autoescape(["html"]),
            extensions=["jinja2.ext.i18n"],
            keep_trailing_newline=True,
        )
        environment.install_gettext_translations(  # type: ignore[attr-defined]
            translations, newstyle=True
        )
        return environment

    def reminder_message_id(self, reminder_id: str) -> str:
        """The Message-ID of a reminder's own e-mail."""
        return f"<reminder.{reminder_id}@{self.domain}>"

    def digest_message_id(self, account_id: str, day: date) -> str:
        """The Message-ID of a person's digest of a day."""
        key = uuid5(DIGEST_NAMESPACE, f"{account_id}:{day.isoformat()}")
        return f"<digest.{key}@{self.domain}>"

    def reminder(
        self, item: ReminderItem, recipient: Recipient, today: date
    ) -> Message:
        """One reminder's e-mail."""
        language = self._language(recipient)
        _ = self.catalogues[language].gettext
        shown = self._shown(item, language, today)
        if item.about == "tranche":
            subject = _("Ready to be paid: %(title)s (%(consortium)s)")
        elif item.about == "statement":
            subject = _(
                "Expense statement of %(partner)s for %(title)s, due on %(date)s"
                " (%(consortium)s)"
            )
        elif shown.days_left >= 0:
            subject = _("Reminder: %(title)s due on %(date)s (%(consortium)s)")
        else:
            subject = _("Overdue: %(title)s was due on %(date)s (%(consortium)s)")
        subject %= {
            "title": item.report_title,
            "date": shown.due_text,
            "consortium": item.consortium_name,
            "partner": item.funder,
        }
        context = self._context(recipient, language) | {"item": shown}
        return Message(
            message_id=self.reminder_message_id(item.reminder_id),
            recipient=recipient.email,
            subject=subject,
            text_body=self._render("reminder.txt", language, context),
            html_body=self._render("reminder.html", language, context),
            language=language,
        )

    def digest(
        self, items: Sequence[ReminderItem], recipient: Recipient, day: date
    ) -> Message:
        """A person's daily digest of reminders."""
        language = self._language(recipient)
        _ = self.catalogues[language].gettext
        day_text = _long_date(day, language)
        subject = _("Your reporting reminders of %(date)s") % {"date": day_text}
        context = self._context(recipient, language) | {
            "items": [self._shown(item, language, day) for item in items],
            "day_text": day_text,
        }
        return Message(
            message_id=self.digest_message_id(recipient.account_id, day),
            recipient=recipient.email,
            subject=subject,
            text_body=self._render("digest.txt", language, context),
            html_body=self._render("digest.html", language, context),
            language=language,
        )

    def invitation(
        self,
        *,
        invitation_id: str,
        recipient: str,
        inviter: str,
        consortium: str,
        role: str,
        link: str,
        language: str,
    ) -> Message:
        """The e-mail carrying an invitation's one-time link.

        ``role`` is the role's label in ``language``, as the pages name it.
        """
        language = language if language in self.catalogues else "en"
        _ = self.catalogues[language].gettext
        context: dict[str, object] = {
            "inviter": inviter,
            "consortium": consortium,
            "role": role,
            "link": link,
        }
        return Message(
            message_id=f"<invitation.{invitation_id}@{self.domain}>",
            recipient=recipient,
            subject=_("Invitation to the consortium %(name)s") % {"name": consortium},
            text_body=self._render("invitation.txt", language, context),
            html_body=None,
            language=language,
        )

    def password_reset(
        self,
        *,
        request_id: str,
        recipient: str,
        name: str,
        link: str,
        minutes: int,
        language: str,
    ) -> Message:
        """The e-mail carrying a password reset link, alive ``minutes``.

        Its Message-ID comes from ``request_id``: the same request, the same e-mail.
        """
        language = language if language in self.catalogues else "en"
        _ = self.catalogues[language].gettext
        context: dict[str, object] = {"name": name, "link": link, "minutes": minutes}
        return Message(
            message_id=f"<password-reset.{uuid5(RESET_NAMESPACE, request_id)}"
            f"@{self.domain}>",
            recipient=recipient,
            subject=_("Choosing a new password"),
            text_body=self._render("password_reset.txt", language, context),
            html_body=None,
            language=language,
        )

    def _language(self, recipient: Recipient) -> str:
        return recipient.language if recipient.language in self.catalogues else "en"

    def _context(self, recipient: Recipient, language: str) -> dict[str, object]:
        return {
            "recipient": recipient,
            "language": language,
            "preferences_link": self.links.preferences(),
        }

    def _shown(self, item: ReminderItem, language: str, today: date) -> _Shown:
        return _Shown(
            report_title=item.report_title,
            consortium_name=item.consortium_name,
            funder=item.funder,
            due_text=_long_date(item.due_on, language),
            days_left=(item.due_on - today).days,
            link=self._link(item),
            escalation=item.escalation,
            about=item.about,
        )

    def _link(self, item: ReminderItem) -> str:
        """Where a reminder leads: its report, its deliverable, or the call."""
        if item.about == "deliverable":
            return self.links.deliverable(item.consortium_id, item.obligation_id)
        if item.about == "application":
            return self.links.application(item.consortium_id)
        if item.about == "statement":
            return self.links.expenses(item.consortium_id)
        if item.about == "tranche":
            return self.links.funding(item.consortium_id)
        return self.links.report(item.consortium_id, item.obligation_id)

    def _render(self, name: str, language: str, context: dict[str, object]) -> str:
        template = self._environments[language].get_template(f"email/{name}")
        return template.render(context)
