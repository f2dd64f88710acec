"""The reminders' forms: the days before a deadline, a person's preferences."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from notifications.emails import Delivery
from web.forms.fields import Fields, FormErrors, is_whole_number
from web.i18n import N_


def parse_days_before(data: Mapping[str, str]) -> tuple[int, ...]:
    """Parse "30, 14, 7, 1" into days before a deadline; raises ``FormErrors``.

    Empty means no reminder before the day itself. The range is the domain's rule.
    """
    errors = FormErrors()
    text = str(data.get("days_before", "")).strip()
    parts = [p for p in re.split(r"[,;\s]+", text) if p]
    if len(text) > 100 or not all(is_whole_number(p) and len(p) <= 4 for p in parts):
        errors.add(
            "days_before", N_("Enter whole numbers of days separated by commas.")
        )
    errors.raise_if_any()
    return tuple(int(p) for p in parts)


@dataclass(frozen=True)
class PreferencesForm:
    """How a person wants reminders, as submitted."""

    delivery: Delivery
    language: str


def parse_preferences(
    data: Mapping[str, str], languages: tuple[str, ...]
) -> PreferencesForm:
    """Parse the notification preferences form; raises ``FormErrors``."""
    f = Fields(data)
    delivery = f.choice("delivery", Delivery)
    language = str(data.get("language", "")).strip()
    if language not in languages:
        f.errors.add("language", N_("Choose one of the options."))
    f.errors.raise_if_any()
    assert delivery is not None  # noqa: S101 - an error was raised otherwise
    return PreferencesForm(delivery, language)
