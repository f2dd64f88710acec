"""The reporting calendar's form: a report to schedule, one-off or periodic."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from governance.values import ReportKind
from web.forms.fields import Fields, is_whole_number
from web.i18n import N_


@dataclass(frozen=True)
class ScheduleForm:
    """A reporting obligation, one-off or periodic, as submitted."""

    funder: str
    title: str
    kind: ReportKind
    responsible_id: str | None
    periodic: bool
    due_on: date | None
    first_period_start: date | None
    every_months: int
    due_days: int
    count: int


def _small_int(f: Fields, name: str, default: str, top: int) -> int:
    value = str(f.data.get(name, default)).strip() or default
    if not is_whole_number(value) or int(value) > top:
        f.errors.add(name, N_("Enter a whole number."))
        return 0
    return int(value)


def parse_schedule(data: Mapping[str, str]) -> ScheduleForm:
    """Parse the schedule-a-report form; raises ``FormErrors``."""
    f = Fields(data)
    funder = f.text("funder", required=True)
    title = f.text("title", required=True)
    kind = f.choice("kind", ReportKind)
    responsible = f.text("responsible_id", max_length=64) or None
    periodic = data.get("mode") == "periodic"
    due_on = None if periodic else f.day("due_on", required=True)
    first = f.day("first_period_start", required=True) if periodic else None
    every = _small_int(f, "every_months", "6", 24) if periodic else 0
    due_days = _small_int(f, "due_days", "30", 365) if periodic else 0
    count = _small_int(f, "count", "4", 60) if periodic else 0
    f.errors.raise_if_any()
    if kind is None:
        raise f.errors
    return ScheduleForm(
        funder,
        title,
        kind,
        responsible,
        periodic,
        due_on,
        first,
        every,
        due_days,
        count,
    )
