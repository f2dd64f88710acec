"""A person's notifications as lines: reminders and notices together, repeats
grouped into one line with a count, each telling the current state of what it is
about (a report reminded as overdue and accepted since says it is accepted).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from governance.values import ReminderChannel, ReportStatus
from governance.voting import Outcome
from notifications.notice_emails import sentence as notice_sentence
from notifications.notice_store import Notice
from projections.notice_subjects import (
    consortium_names,
    proposal_outcomes,
    report_statuses,
)
from projections.reminders import NotificationRow
from web.i18n import current_language, format_day, gettext_, ngettext_
from web.links import PathFor, notice_target
from web.presentation.labels import label

STILL_DUE = (ReportStatus.DUE, ReportStatus.DRAFTED, ReportStatus.CHANGES_REQUESTED)
REPORT_KINDS = ("report_submitted", "changes_requested", "report_accepted")
VOTE_KINDS = ("vote_opened", "vote_closing")


def N_(message: str) -> str:
    """Mark a message for extraction; translated where it is shown."""
    return message


@dataclass
class Line:
    """One line of the list: one notification, or several identical ones."""

    key: tuple[str, ...]
    at: datetime
    sentence: str
    link: str
    link_text: str
    consortium: str
    state: str = ""
    channel: str = ""
    ids: list[str] = field(default_factory=list)
    unread: bool = False

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def count_text(self) -> str:
        return ngettext_(
            "%(count)s notification", "%(count)s notifications", self.count
        ) % {"count": self.count}


def is_unread(
    at: datetime, item_id: str, seen: datetime | None, read: set[str]
) -> bool:
    """Unread: arrived after "all read" and not marked read on its own."""
    return (seen is None or at > seen) and item_id not in read


def _reminder_phase(row: NotificationRow) -> str:
    if row.status not in STILL_DUE:
        return row.status.value
    stage = row.reminder.stage
    return "before" if stage < 0 else "today" if stage == 0 else "overdue"


def _reminder_sentence(row: NotificationRow, phase: str) -> str:
    r = row.reminder
    words = {
        "title": row.report_title,
        "funder": row.funder,
        "date": format_day(r.due_on),
    }
    sentences = {
        ("deliverable", "before"): N_("The deliverable %(title)s is due on %(date)s."),
        ("deliverable", "today"): N_(
            "The deliverable %(title)s is due today, %(date)s."
        ),
        ("deliverable", "overdue"): N_(
            "The deliverable %(title)s was due on %(date)s and is overdue."
        ),
        ("deliverable", "submitted"): N_(
            "The deliverable %(title)s, due on %(date)s, has been handed in."
        ),
        ("deliverable", "accepted"): N_(
            "The deliverable %(title)s, due on %(date)s, has been accepted."
        ),
        ("application", "before"): N_(
            "The call %(title)s closes on %(date)s: the application is still to be"
            " filed."
        ),
        ("application", "today"): N_(
            "The call %(title)s closes today, %(date)s: the application is still to"
            " be filed."
        ),
        ("application", "overdue"): N_("The call %(title)s closed on %(date)s."),
        ("application", "submitted"): N_(
            "The call %(title)s closes on %(date)s: the application has been filed."
        ),
        ("statement", "before"): N_(
            "The expense statement of %(funder)s for %(title)s is due on %(date)s."
        ),
        ("statement", "today"): N_(
            "The expense statement of %(funder)s for %(title)s is due today, %(date)s."
        ),
        ("statement", "overdue"): N_(
            "The expense statement of %(funder)s for %(title)s was due on %(date)s"
            " and is overdue."
        ),
        ("statement", "submitted"): N_(
            "The expense statement of %(funder)s for %(title)s, due on %(date)s,"
            " has been submitted."
        ),
        ("statement", "accepted"): N_(
            "The expense statement of %(funder)s for %(title)s, due on %(date)s,"
            " has been accepted."
        ),
        ("tranche", "before"): N_("The tranche %(title)s can be paid since %(date)s."),
        ("tranche", "today"): N_("The tranche %(title)s can be paid since %(date)s."),
        ("tranche", "overdue"): N_(
            "The tranche %(title)s can be paid since %(date)s and is not paid yet."
        ),
        ("tranche", "submitted"): N_(
            "The tranche %(title)s, ready since %(date)s, is no longer ready to be"
            " paid."
        ),
        ("tranche", "accepted"): N_(
            "The tranche %(title)s, ready since %(date)s, has been paid."
        ),
        ("report", "before"): N_("%(title)s is due to %(funder)s on %(date)s."),
        ("report", "today"): N_("%(title)s is due to %(funder)s today, %(date)s."),
        ("report", "overdue"): N_(
            "%(title)s was due to %(funder)s on %(date)s and is overdue."
        ),
        ("report", "submitted"): N_(
            "%(title)s, due to %(funder)s on %(date)s, has been submitted."
        ),
        ("report", "accepted"): N_(
            "%(title)s, due to %(funder)s on %(date)s, has been accepted."
        ),
    }
    known = ("deliverable", "application", "statement", "tranche")
    about = row.about if row.about in known else "report"
    return gettext_(sentences[about, phase]) % words


def reminder_lines(rows: Iterable[NotificationRow], paths: PathFor) -> list[Line]:
    """One line per reminder (grouped later)."""
    lines = []
    for row in rows:
        r = row.reminder
        phase = _reminder_phase(row)
        if row.about == "deliverable":
            link = paths(
                "workplan:deliverable",
                consortium_id=r.consortium_id,
                deliverable_id=r.obligation_id,
            )
            link_text = gettext_(N_("Open the deliverable"))
        elif row.about == "application":
            link = paths("call:index", consortium_id=r.consortium_id)
            link_text = gettext_(N_("Open the call"))
        elif row.about == "statement":
            link = paths("expenses:index", consortium_id=r.consortium_id)
            link_text = gettext_(N_("Open the expenses"))
        elif row.about == "tranche":
            link = paths("funding:index", consortium_id=r.consortium_id)
            link_text = gettext_(N_("Open the funding"))
        else:
            link = paths(
                "reporting:report",
                consortium_id=r.consortium_id,
                obligation_id=r.obligation_id,
            )
            link_text = gettext_(N_("Open the report"))
        lines.append(
            Line(
                key=("reminder", r.obligation_id, phase),
                at=r.requested_at,
                sentence=_reminder_sentence(row, phase),
                link=link,
                link_text=link_text,
                consortium=row.consortium_name,
                channel=_channel(r.channel),
                ids=[r.reminder_id],
            )
        )
    return lines


def _channel(channel: ReminderChannel | None) -> str:
    if channel is None:
        return gettext_(N_("not sent yet"))
    return f"{gettext_(N_('sent'))} {label(channel)}"


class _Translations:
    """The current request's catalogue, as ``notifications`` reads one."""

    def gettext(self, message: str, /) -> str:
        return gettext_(message)


def notice_lines(
    connection: Connection,
    found: Sequence[Notice],
    paths: PathFor,
    names: dict[str, str],
) -> list[Line]:
    """One line per notice (grouped later), with the current state of its subject."""
    language = current_language.get()
    translations = _Translations()
    names_of = consortium_names(connection, (n.consortium_id for n in found))
    states = _states(connection, found)
    lines = []
    for notice in found:
        consortium = names_of.get(notice.consortium_id, "")
        person = names.get(notice.subject_id, gettext_(N_("a person")))
        said = notice_sentence(notice, translations, language, consortium, person)
        name, route = notice_target(
            notice.kind, notice.consortium_id, notice.subject_id
        )
        group = (
            notice.consortium_id
            if notice.kind == "checkpoint_to_countersign"
            else notice.subject_id
        )
        lines.append(
            Line(
                key=(notice.kind, group),
                at=notice.created_at,
                sentence=said,
                link=paths(name, **route),
                link_text=gettext_(N_("Open")),
                consortium=consortium,
                state=states.get(notice.notice_id, ""),
                channel=_channel(ReminderChannel(notice.channel))
                if notice.channel
                else gettext_(N_("not sent yet")),
                ids=[notice.notice_id],
            )
        )
    return lines


def _states(connection: Connection, found: Sequence[Notice]) -> dict[str, str]:
    """What became of each notice's subject, when it moved on since."""
    outcomes = proposal_outcomes(
        connection, (n.subject_id for n in found if n.kind in VOTE_KINDS)
    )
    statuses = report_statuses(
        connection, (n.subject_id for n in found if n.kind in REPORT_KINDS)
    )
    said: dict[str, str] = {}
    told = {
        "report_submitted": ReportStatus.SUBMITTED.value,
        "changes_requested": ReportStatus.CHANGES_REQUESTED.value,
        "report_accepted": ReportStatus.ACCEPTED.value,
    }
    for notice in found:
        if notice.kind in VOTE_KINDS and notice.subject_id in outcomes:
            said[notice.notice_id] = gettext_(N_("Now closed: %(outcome)s")) % {
                "outcome": label(Outcome(outcomes[notice.subject_id]))
            }
        status = statuses.get(notice.subject_id)
        if notice.kind in REPORT_KINDS and status and status != told[notice.kind]:
            said[notice.notice_id] = gettext_(N_("Now: %(status)s")) % {
                "status": label(ReportStatus(status))
            }
    return said


def grouped(lines: Iterable[Line], seen: datetime | None, read: set[str]) -> list[Line]:
    """Newest first, each kind of line once: repeats join the newest with a count."""
    kept: dict[tuple[str, ...], Line] = {}
    for line in sorted(lines, key=lambda x: (x.at, x.ids[0]), reverse=True):
        unread = any(is_unread(line.at, i, seen, read) for i in line.ids)
        first = kept.get(line.key)
        if first is None:
            line.unread = unread
            kept[line.key] = line
        else:
            first.ids.extend(line.ids)
            first.unread = first.unread or unread
    return list(kept.values())
