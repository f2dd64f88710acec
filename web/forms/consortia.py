"""The consortium's forms: its profile and call, its phase."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from governance.errors import RuleViolated
from governance.values import CallForProjects, Phase
from web.forms.fields import LONG, Fields, parse_day
from web.i18n import N_


@dataclass(frozen=True)
class ConsortiumForm:
    """A consortium's profile and call, as submitted."""

    name: str
    acronym: str
    summary: str
    territory: str
    call: CallForProjects


def parse_consortium(data: Mapping[str, str]) -> ConsortiumForm:
    """Parse the found/edit consortium form; raises ``FormErrors``."""
    f = Fields(data)
    name = f.text("name", required=True)
    acronym = f.text("acronym", max_length=40)
    summary = f.text("summary", max_length=LONG, multiline=True)
    territory = f.text("territory")
    call_name = f.text("call_name", required=True)
    funder = f.text("call_funder", required=True)
    reference = f.text("call_reference", max_length=100)
    opens_on = f.day("call_opens_on")
    url = f.text("call_url", max_length=500)
    closing: list[date] = []
    for line in re.split(r"[\s,;]+", str(data.get("call_closing_dates", "")).strip()):
        if not line:
            continue
        parsed = parse_day(line)
        if parsed is None:
            f.errors.add("call_closing_dates", N_("Enter each date as YYYY-MM-DD."))
        else:
            closing.append(parsed)
    f.errors.raise_if_any()
    try:
        call = CallForProjects(
            name=call_name,
            funder=funder,
            reference=reference,
            opens_on=opens_on,
            closing_dates=tuple(sorted(set(closing))),
            url=url,
        )
    except RuleViolated as error:
        # The call's inputs are its fields' names behind "call_".
        f.rule(error, prefix="call_")
        raise f.errors from None
    return ConsortiumForm(name, acronym, summary, territory, call)


@dataclass(frozen=True)
class PhaseForm:
    """A phase change, as submitted."""

    phase: Phase
    on: date


def parse_phase(data: Mapping[str, str]) -> PhaseForm:
    """Parse the change-phase form; raises ``FormErrors``."""
    f = Fields(data)
    phase = f.choice("phase", Phase)
    on = f.day("on", required=True)
    if phase is Phase.CLOSED and not data.get("confirm_close"):
        # Closing cannot be undone: one click is not enough.
        f.errors.add(
            "confirm_close", N_("Closing cannot be undone: tick the box to confirm.")
        )
    f.errors.raise_if_any()
    if phase is None or on is None:
        raise f.errors
    return PhaseForm(phase, on)
