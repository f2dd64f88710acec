"""The personal access token form: a name, a scope, a consortium, a lifetime."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from web.forms.fields import Fields, FormErrors
from web.i18n import N_

# The scopes a token may have (``web.identity.api_tokens``): read, or read and write.
SCOPES = ("read", "write")

# Lifetimes offered, in days ("" : until revoked).
LIFETIMES = ("30", "90", "365", "")


@dataclass(frozen=True)
class TokenForm:
    """A token as asked for (before the financer's read-only rule)."""

    name: str
    scope: str
    consortium_id: str | None
    days: int | None


def parse_token(data: Mapping[str, str], consortia: Collection[str]) -> TokenForm:
    """Parse the form; ``consortia`` are the ids the person may choose among.

    Raises ``FormErrors``.
    """
    f = Fields(data)
    name = f.text("name", required=True, max_length=100)
    scope = str(data.get("scope", "")).strip()
    if scope not in SCOPES:
        f.errors.add("scope", N_("Choose one of the options."))
    consortium = str(data.get("consortium_id", "")).strip()
    if consortium and consortium not in consortia:
        f.errors.add("consortium_id", N_("Choose one of the options."))
    days = str(data.get("days", "")).strip()
    if days not in LIFETIMES:
        f.errors.add("days", N_("Choose one of the options."))
    f.errors.raise_if_any()
    return TokenForm(name, scope, consortium or None, int(days) if days else None)


def parse_revocation(data: Mapping[str, str]) -> None:
    """The revocation's confirmation box must be ticked; raises ``FormErrors``."""
    if data.get("confirm") != "yes":
        raise FormErrors({"confirm": N_("Tick the box to confirm.")})
