"""Forms of daily use (issue 17): closing a vote (confirmed), a meeting's votes as
the chair records them, a measurement corrected or withdrawn."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from governance.application.daily import MeetingBallot
from web.forms.fields import LONG, Fields, FormErrors


def parse_close_confirmation(data: Mapping[str, str]) -> None:
    """Closing a vote cannot be undone: the box saying so must be ticked."""
    if not data.get("confirm_close"):
        raise FormErrors({"confirm_close": "vote.confirm_close"})


def parse_meeting_ballots(
    data: Mapping[str, str], members: Iterable[str], options: Iterable[str]
) -> tuple[MeetingBallot, ...]:
    """The votes given at a meeting: ``option-<partner>`` (empty: not recorded) and
    ``through-<partner>`` (the partner present who gave it; itself by default)."""
    errors = FormErrors()
    known = set(options)
    ballots = []
    for partner_id in members:
        option = str(data.get(f"option-{partner_id}", "")).strip()
        if not option:
            continue
        if option not in known:
            errors.add(f"option-{partner_id}", "vote.option_unknown")
            continue
        through = str(data.get(f"through-{partner_id}", "")).strip() or partner_id
        ballots.append(MeetingBallot(partner_id, option, through[:36]))
    errors.raise_if_any()
    if not ballots:
        raise FormErrors({"ballots": "ballot.none_given"})
    return tuple(ballots)


@dataclass(frozen=True)
class CorrectionForm:
    """A measurement's right value, date and source, and why it changes."""

    value: Decimal
    on: date
    source: str
    reason: str
    confirmed: bool


def parse_correction(data: Mapping[str, str]) -> CorrectionForm:
    """Parse the correct-a-measurement form; raises ``FormErrors``."""
    f = Fields(data)
    value = f.amount("value")
    on = f.day("on", required=True)
    source = f.text("source", required=True)
    reason = f.text("reason", required=True, max_length=LONG, multiline=True)
    f.errors.raise_if_any()
    if value is None or on is None:
        raise f.errors
    return CorrectionForm(value, on, source, reason, bool(data.get("confirm_value")))


def parse_withdrawal(data: Mapping[str, str]) -> str:
    """The reason a measurement is withdrawn; raises ``FormErrors``."""
    f = Fields(data)
    reason = f.text("reason", required=True, max_length=LONG, multiline=True)
    f.errors.raise_if_any()
    return reason
