"""Reminders as pure rules: how many days before a deadline people are reminded, and
the ids that make each reminder (and each consortium's schedule) one of a kind.

The aggregates (``governance/reminder.py``) apply them; the read side and the web
read the default days here, without touching an aggregate.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid5

from governance.errors import RuleViolated

# Fixed forever: changing it would re-issue every reminder already issued.
REMINDER_NAMESPACE = UUID("6f1d3c1e-5a0b-4c83-9a55-0c1f2b7d9e41")

DEFAULT_DAYS_BEFORE: tuple[int, ...] = (30, 14, 7, 1)
MAX_DAYS_BEFORE = 365
MAX_STAGES_BEFORE = 8


def reminder_id(
    obligation_id: str, due_on: date, stage: int, recipient_id: str
) -> UUID:
    """The id of the reminder of ``recipient_id`` for a report at a stage."""
    key = f"{obligation_id}:{due_on.isoformat()}:{stage}:{recipient_id}"
    return uuid5(REMINDER_NAMESPACE, key)


def check_days_before(days: tuple[int, ...]) -> tuple[int, ...]:
    """Days before a deadline, largest first, each once; refuses nonsense."""
    if len(days) > MAX_STAGES_BEFORE:
        raise RuleViolated("reminder.too_many_stages", limit=MAX_STAGES_BEFORE)
    if any(d < 1 or d > MAX_DAYS_BEFORE for d in days):
        raise RuleViolated("reminder.days_out_of_range", limit=MAX_DAYS_BEFORE)
    return tuple(sorted(set(days), reverse=True))


def schedule_id(consortium_id: str) -> UUID:
    """The id of a consortium's reminder schedule."""
    return uuid5(REMINDER_NAMESPACE, f"schedule:{consortium_id}")
