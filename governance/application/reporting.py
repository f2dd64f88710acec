"""Commands on reporting and evaluation: obligations, reports, indicators."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from governance.actor import Actor
from governance.application.base import Created, ServiceBase
from governance.application.retrying import command
from governance.errors import NotFound, RuleViolated
from governance.indicator import Indicator
from governance.permissions import Action
from governance.reporting import ReportingObligation
from governance.rules import reporting_periods
from governance.values import Evidence, ReportedIndicator, ReportKind


class ReportingCommands(ServiceBase):
    """Reporting to funders: the calendar and each report's life."""

    @command
    def schedule_report(
        self,
        actor: Actor,
        consortium_id: UUID,
        *,
        funder: str,
        title: str,
        kind: ReportKind,
        responsible_id: str | None,
        due_on: date,
    ) -> Created:
        """Schedule a one-off report (coordinators and the pilot team)."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_CALENDAR)
            self._check_responsible(
                consortium.role_of(responsible_id) if responsible_id else None,
                responsible_id,
            )
            obligation = ReportingObligation.schedule(
                str(consortium_id),
                str(uuid4()),
                funder=funder,
                title=title,
                kind=kind,
                responsible_id=responsible_id,
                due_on=due_on,
            )
            return Created(str(obligation.id), self._save(obligation))

    @command
    def schedule_periodic_reports(
        self,
        actor: Actor,
        consortium_id: UUID,
        *,
        funder: str,
        title: str,
        kind: ReportKind,
        responsible_id: str | None,
        first_period_start: date,
        every_months: int,
        due_days: int,
        count: int,
    ) -> Created:
        """Schedule a report after each period; returns the series id."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.MANAGE_CALENDAR)
            self._check_responsible(
                consortium.role_of(responsible_id) if responsible_id else None,
                responsible_id,
            )
            series_id = str(uuid4())
            obligations = [
                ReportingObligation.schedule(
                    str(consortium_id),
                    series_id,
                    funder=funder,
                    title=title,
                    kind=kind,
                    responsible_id=responsible_id,
                    due_on=due,
                    period=(start, end),
                )
                for start, end, due in reporting_periods(
                    first_period_start, every_months, due_days, count
                )
            ]
            return Created(series_id, self._save(*obligations))

    @command
    def draft_report(
        self,
        actor: Actor,
        obligation_id: UUID,
        text: str,
        attachments: tuple[Evidence, ...] = (),
        indicators: Sequence[UUID] = (),
    ) -> int:
        """Write the report (coordinators and the pilot team).

        With ``indicators``, the values of these indicators over the report's
        period are included, as they stand now in the event store.
        """
        with self._acting(actor):
            obligation = self._obligation(actor, obligation_id, Action.REPORT)
            obligation.draft(
                text, attachments, self._indicator_values(obligation, indicators)
            )
            return self._save(obligation)

    @command
    def submit_report(self, actor: Actor, obligation_id: UUID) -> int:
        """Send the drafted report to the funder."""
        with self._acting(actor):
            obligation = self._obligation(actor, obligation_id, Action.REPORT)
            obligation.submit()
            return self._save(obligation)

    @command
    def accept_report(self, actor: Actor, obligation_id: UUID, comment: str) -> int:
        """A financer accepts the submitted report."""
        with self._acting(actor):
            obligation = self._obligation(actor, obligation_id, Action.REVIEW_REPORT)
            obligation.accept(comment)
            return self._save(obligation)

    @command
    def request_report_changes(
        self, actor: Actor, obligation_id: UUID, comment: str
    ) -> int:
        """A financer sends the report back with comments."""
        with self._acting(actor):
            obligation = self._obligation(actor, obligation_id, Action.REVIEW_REPORT)
            obligation.request_changes(comment)
            return self._save(obligation)

    @command
    def define_indicator(
        self,
        actor: Actor,
        consortium_id: UUID,
        *,
        name: str,
        unit: str,
        baseline: Decimal,
        target: Decimal,
        target_on: date,
        measured_by: str,
    ) -> Created:
        """Define what the consortium measures (coordinators and the pilot team)."""
        with self._acting(actor):
            self._authorised(actor, consortium_id, Action.REPORT)
            indicator = Indicator.define(
                str(consortium_id),
                name=name,
                unit=unit,
                baseline=baseline,
                target=target,
                target_on=target_on,
                measured_by=measured_by,
            )
            return Created(str(indicator.id), self._save(indicator))

    @command
    def measure_indicator(
        self, actor: Actor, indicator_id: UUID, value: Decimal, on: date, source: str
    ) -> int:
        """Record a measured value of an indicator."""
        with self._acting(actor):
            indicator = self._load(indicator_id, Indicator, "indicator")
            self._authorised(actor, UUID(indicator.consortium_id), Action.REPORT)
            indicator.measure(str(uuid4()), value, on, source)
            return self._save(indicator)

    def _obligation(
        self, actor: Actor, obligation_id: UUID, action: Action
    ) -> ReportingObligation:
        obligation = self._load(obligation_id, ReportingObligation, "obligation")
        self._authorised(actor, UUID(obligation.consortium_id), action)
        return obligation

    def _indicator_values(
        self, obligation: ReportingObligation, indicators: Sequence[UUID]
    ) -> tuple[ReportedIndicator, ...]:
        values = []
        for indicator_id in dict.fromkeys(indicators):
            indicator = self._load(indicator_id, Indicator, "indicator")
            if indicator.consortium_id != obligation.consortium_id:
                raise NotFound("indicator", indicator_id)
            values.append(
                indicator.reported(
                    obligation.period_start, obligation.period_end, obligation.due_on
                )
            )
        return tuple(values)

    @staticmethod
    def _check_responsible(role: object, responsible_id: str | None) -> None:
        if responsible_id is not None and role is None:
            raise RuleViolated("reporting.responsible_not_a_member")
