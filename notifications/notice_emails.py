"""The e-mails of notices (a vote opened, a report submitted …), in the recipient's
language, with the page catalogues.

A notice's e-mail has a Message-ID derived from the notice's id, and a digest of
notices one from its person and day: sent again after a crash, it keeps it.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Protocol
from urllib.parse import urlsplit
from uuid import UUID, uuid5

from babel.dates import format_datetime

from notifications.emails import Recipient, _long_date
from notifications.notice_store import Notice
from notifications.outbox import Message
from notifications.policy import LOCAL_ZONE

# Fixed forever: a digest of notices sent again must keep its Message-ID.
NOTICE_DIGEST_NAMESPACE = UUID("8e3f1a57-2b6c-4d09-9f7e-0c5a1b2d3e4f")


def N_(message: str) -> str:
    """Mark a message for extraction; translated where it is shown."""
    return message


SUBJECTS = {
    "vote_opened": N_("Vote open: %(title)s (%(consortium)s)"),
    "vote_closing": N_("Vote closing within 48 hours: %(title)s (%(consortium)s)"),
    "vote_closed": N_("Vote closed: %(title)s, %(outcome)s (%(consortium)s)"),
    "decision_recorded": N_("Decision recorded: %(title)s (%(consortium)s)"),
    "report_submitted": N_("Report submitted: %(title)s (%(consortium)s)"),
    "changes_requested": N_("Changes requested: %(title)s (%(consortium)s)"),
    "report_accepted": N_("Report accepted: %(title)s (%(consortium)s)"),
    "invitation_accepted": N_("%(person)s joined %(consortium)s"),
    "checkpoint_to_countersign": N_("A checkpoint to countersign (%(consortium)s)"),
}

SENTENCES = {
    "vote_opened": N_(
        "A vote is open on “%(title)s” in %(consortium)s: your partner may vote."
    ),
    "vote_closing": N_(
        "The vote on “%(title)s” in %(consortium)s closes on %(closes)s and your "
        "partner has not voted yet."
    ),
    "vote_closed": N_("The vote on “%(title)s” in %(consortium)s closed: %(outcome)s."),
    "decision_recorded": N_(
        "A decision was recorded in %(consortium)s: “%(title)s”, %(outcome)s."
    ),
    "report_submitted": N_(
        "The report “%(title)s”%(period)s of %(consortium)s was submitted and "
        "waits for your review."
    ),
    "changes_requested": N_(
        "The funder asked for changes to the report “%(title)s”%(period)s of "
        "%(consortium)s."
    ),
    "report_accepted": N_(
        "The funder accepted the report “%(title)s”%(period)s of %(consortium)s."
    ),
    "invitation_accepted": N_(
        "%(person)s accepted the invitation and joined %(consortium)s."
    ),
    "checkpoint_to_countersign": N_(
        "A new checkpoint of the log was sealed: you may check and countersign it "
        "for %(consortium)s."
    ),
}

OUTCOMES = {
    "adopted": N_("Adopted"),
    "rejected": N_("Rejected"),
    "no_quorum": N_("No quorum"),
    "vetoed": N_("Vetoed"),
}


class Gettext(Protocol):
    """What translates a message (a catalogue, or the pages' current language)."""

    def gettext(self, message: str, /) -> str: ...


class NoticeLinks(Protocol):
    """Where a notice leads, and where a person chooses how they are told."""

    def preferences(self) -> str: ...

    def notice(self, kind: str, consortium_id: str, subject_id: str) -> str: ...


def period_words(detail: str, language: str) -> str:
    """A report's period ("2026-01-01/2026-06-30") in words, or ""."""
    try:
        start, end = (date.fromisoformat(d) for d in detail.split("/"))
    except ValueError:
        return ""
    return f"{_long_date(start, language)} – {_long_date(end, language)}"


def sentence(
    notice: Notice,
    translations: Gettext,
    language: str,
    consortium: str,
    person: str,
) -> str:
    """What a notice says, in one sentence."""
    _ = translations.gettext
    return _(SENTENCES[notice.kind]) % params(
        notice, translations, language, consortium, person
    )


def params(
    notice: Notice,
    translations: Gettext,
    language: str,
    consortium: str,
    person: str,
) -> dict[str, str]:
    """The words a notice's sentence and subject are made of."""
    _ = translations.gettext
    period = ""
    if notice.kind in {"report_submitted", "changes_requested", "report_accepted"}:
        words = period_words(notice.detail, language)
        period = f" ({words})" if words else ""
    closes = ""
    if notice.kind == "vote_closing":
        try:
            moment = datetime.fromisoformat(notice.detail).astimezone(LOCAL_ZONE)
            locale = "en_GB" if language == "en" else language
            closes = format_datetime(moment, "d MMMM y, HH:mm", locale=locale)
        except ValueError:
            closes = notice.detail
    outcome = OUTCOMES.get(notice.detail, "")
    return {
        "title": notice.title,
        "consortium": consortium,
        "outcome": _(outcome).lower() if outcome else "",
        "period": period,
        "closes": closes,
        "person": person,
    }


class NoticeRenderer:
    """Renders notices' e-mails and digests."""

    def __init__(
        self,
        catalogues: Mapping[str, gettext.NullTranslations],
        base_url: str,
        links: NoticeLinks,
        consortium_name: Callable[[str], str],
        person_name: Callable[[str], str],
    ) -> None:
        self.domain = urlsplit(base_url).hostname or "localhost"
        self.catalogues = dict(catalogues)
        self.links = links
        self.consortium_name = consortium_name
        self.person_name = person_name

    def message_id(self, notice_id: str) -> str:
        """The Message-ID of a notice's own e-mail."""
        return f"<notice.{notice_id}@{self.domain}>"

    def digest_message_id(self, account_id: str, day: date) -> str:
        """The Message-ID of a person's digest of notices of a day."""
        key = uuid5(NOTICE_DIGEST_NAMESPACE, f"{account_id}:{day.isoformat()}")
        return f"<notices.{key}@{self.domain}>"

    def _language(self, recipient: Recipient) -> str:
        return recipient.language if recipient.language in self.catalogues else "en"

    def _words(self, notice: Notice, language: str) -> tuple[str, str]:
        translations = self.catalogues[language]
        consortium = self.consortium_name(notice.consortium_id)
        person = (
            self.person_name(notice.subject_id)
            if notice.kind == "invitation_accepted"
            else ""
        )
        words = params(notice, translations, language, consortium, person)
        subject = translations.gettext(SUBJECTS[notice.kind]) % words
        return subject, sentence(notice, translations, language, consortium, person)

    def _footer(self, language: str) -> str:
        _ = self.catalogues[language].gettext
        return (
            "--\n"
            + _("Consortium Ledger. Choose how you receive notifications:")
            + (f" {self.links.preferences()}\n")
        )

    def notice(self, notice: Notice, recipient: Recipient) -> Message:
        """One notice's e-mail."""
        language = self._language(recipient)
        _ = self.catalogues[language].gettext
        subject, said = self._words(notice, language)
        link = self.links.notice(notice.kind, notice.consortium_id, notice.subject_id)
        text = (
            _("Hello %(name)s,") % {"name": recipient.name}
            + f"\n\n{said}\n\n{link}\n\n"
            + self._footer(language)
        )
        return Message(
            message_id=self.message_id(notice.notice_id),
            recipient=recipient.email,
            subject=subject,
            text_body=text,
            html_body=None,
            language=language,
        )

    def digest(
        self, notices: Sequence[Notice], recipient: Recipient, day: date
    ) -> Message:
        """A person's digest of the notices of a day."""
        language = self._language(recipient)
        _ = self.catalogues[language].gettext
        day_text = _long_date(day, language)
        lines = []
        for notice in notices:
            _subject, said = self._words(notice, language)
            link = self.links.notice(
                notice.kind, notice.consortium_id, notice.subject_id
            )
            lines.append(f"- {said}\n  {link}")
        text = (
            _("Hello %(name)s,") % {"name": recipient.name}
            + "\n\n"
            + _("What waits on you, %(date)s:") % {"date": day_text}
            + "\n\n"
            + "\n".join(lines)
            + "\n\n"
            + self._footer(language)
        )
        return Message(
            message_id=self.digest_message_id(recipient.account_id, day),
            recipient=recipient.email,
            subject=_("Your notifications of %(date)s") % {"date": day_text},
            text_body=text,
            html_body=None,
            language=language,
        )
