"""The ReportingObligation aggregate: one report due to a funder, and its life.

A periodic schedule becomes one obligation per period (same ``series_id``), so each
report has a short history of its own: drafted, submitted, accepted or sent back for
changes (which reopens it). Whether it is overdue is a question of the date, asked by
the read side, not a stored state.
"""

from __future__ import annotations

from datetime import date

from eventsourcing.domain import Aggregate, event

from governance.actor import GovernanceCreated, GovernanceEvent
from governance.errors import RuleViolated
from governance.rules import in_report_window
from governance.values import Evidence, ReportedIndicator, ReportKind, ReportStatus

WRITABLE = (ReportStatus.DUE, ReportStatus.DRAFTED, ReportStatus.CHANGES_REQUESTED)


class ReportingObligation(Aggregate):
    """A report due to a funder by a date."""

    class Scheduled(GovernanceCreated):
        consortium_id: str
        series_id: str
        funder: str
        title: str
        kind: ReportKind
        responsible_id: str | None
        period_start: date | None
        period_end: date | None
        due_on: date

    class ReportDrafted(GovernanceEvent):
        """The report written; ``indicator_values`` when the team included them.

        Version 2 added ``indicator_values``; a version 1 event (stored before)
        comes back with none.
        """

        class_version = 2

        text: str
        attachments: tuple[Evidence, ...]
        indicator_values: tuple[ReportedIndicator, ...] = ()

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            state["indicator_values"] = ()

    class ReportSubmitted(GovernanceEvent):
        pass

    class ReportAccepted(GovernanceEvent):
        comment: str

    class ReportChangesRequested(GovernanceEvent):
        comment: str

    @event(Scheduled)
    def __init__(
        self,
        consortium_id: str,
        series_id: str,
        funder: str,
        title: str,
        kind: ReportKind,
        responsible_id: str | None,
        period_start: date | None,
        period_end: date | None,
        due_on: date,
    ) -> None:
        self.consortium_id = consortium_id
        self.series_id = series_id
        self.funder = funder
        self.title = title
        self.kind = kind
        self.responsible_id = responsible_id
        self.period_start = period_start
        self.period_end = period_end
        self.due_on = due_on
        self.status = ReportStatus.DUE
        self.text = ""
        self.attachments: tuple[Evidence, ...] = ()
        self.indicator_values: tuple[ReportedIndicator, ...] = ()

    @classmethod
    def schedule(
        cls,
        consortium_id: str,
        series_id: str,
        *,
        funder: str,
        title: str,
        kind: ReportKind,
        responsible_id: str | None,
        due_on: date,
        period: tuple[date, date] | None = None,
    ) -> ReportingObligation:
        """Schedule one report due to a funder."""
        if not funder.strip():
            raise RuleViolated("call.funder_required")
        if not title.strip():
            raise RuleViolated("reporting.title_required")
        if period is not None and due_on < period[1]:
            raise RuleViolated("reporting.due_before_period_end")
        return cls(
            consortium_id=consortium_id,
            series_id=series_id,
            funder=funder.strip(),
            title=title.strip(),
            kind=kind,
            responsible_id=responsible_id,
            period_start=period[0] if period else None,
            period_end=period[1] if period else None,
            due_on=due_on,
        )

    def draft(
        self,
        text: str,
        attachments: tuple[Evidence, ...],
        indicator_values: tuple[ReportedIndicator, ...] = (),
    ) -> None:
        """Write (or rewrite) the report; earlier attachments are kept.

        Indicator values are those of this draft: a draft without them leaves
        them out of the report.
        """
        if self.status not in WRITABLE:
            raise RuleViolated("report.not_writable", status=self.status.value)
        if not text.strip() and not attachments and not indicator_values:
            raise RuleViolated("report.empty")
        self._check_indicator_values(indicator_values)
        kept = tuple(dict.fromkeys(self.attachments + tuple(attachments)))
        self._draft(
            text=text.strip(),
            attachments=kept,
            indicator_values=tuple(indicator_values),
        )

    def _check_indicator_values(
        self, indicator_values: tuple[ReportedIndicator, ...]
    ) -> None:
        ids = [i.indicator_id for i in indicator_values]
        if len(set(ids)) != len(ids):
            raise RuleViolated("report.indicator_twice")
        for indicator in indicator_values:
            for value in indicator.values:
                if not in_report_window(
                    value.on, self.period_start, self.period_end, self.due_on
                ):
                    raise RuleViolated("report.value_outside_period")

    @event(ReportDrafted)
    def _draft(
        self,
        text: str,
        attachments: tuple[Evidence, ...],
        indicator_values: tuple[ReportedIndicator, ...],
    ) -> None:
        self.text = text
        self.attachments = tuple(attachments)
        self.indicator_values = tuple(indicator_values)
        self.status = ReportStatus.DRAFTED

    def submit(self) -> None:
        """Send the drafted report to the funder."""
        if self.status is not ReportStatus.DRAFTED:
            raise RuleViolated("report.not_drafted")
        self._submit()

    @event(ReportSubmitted)
    def _submit(self) -> None:
        self.status = ReportStatus.SUBMITTED

    def accept(self, comment: str) -> None:
        """The financer accepts the submitted report."""
        if self.status is not ReportStatus.SUBMITTED:
            raise RuleViolated("report.not_submitted")
        self._accept(comment=comment.strip())

    @event(ReportAccepted)
    def _accept(self, comment: str) -> None:
        self.status = ReportStatus.ACCEPTED

    def request_changes(self, comment: str) -> None:
        """The financer sends the report back with comments; it reopens."""
        if self.status is not ReportStatus.SUBMITTED:
            raise RuleViolated("report.not_submitted")
        if not comment.strip():
            raise RuleViolated("report.comment_required")
        self._request_changes(comment=comment.strip())

    @event(ReportChangesRequested)
    def _request_changes(self, comment: str) -> None:
        self.status = ReportStatus.CHANGES_REQUESTED
