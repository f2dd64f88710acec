"""The capitalisation register's forms: an entry of each kind, a reason."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from governance.values import (
    AssetType,
    CapitalisationEntry,
    CapitalisationKind,
    Dissemination,
    Lesson,
    Replication,
    ReusableAsset,
)
from web.forms.fields import LONG, Fields


def parse_capitalisation(
    data: Mapping[str, str], kind: CapitalisationKind, *, today: date
) -> CapitalisationEntry:
    """Parse a capitalisation entry of ``kind``; raises ``FormErrors``.

    Shape only (required, lengths, dates, http(s) addresses); what an entry must
    say is the domain's rule.
    """
    f = Fields(data)
    title = f.text("title", required=True)
    entry: CapitalisationEntry | None = None
    if kind is CapitalisationKind.LESSON:
        entry = Lesson(
            title,
            f.text("worked", max_length=LONG, multiline=True),
            f.text("did_not_work", max_length=LONG, multiline=True),
            f.text("for_whom", required=True),
        )
    elif kind is CapitalisationKind.ASSET:
        asset_type = f.choice("asset_type", AssetType)
        description = f.text("description", max_length=LONG, multiline=True)
        licence = f.text("licence", required=True)
        url = f.text("url", required=True, max_length=2000)
        if asset_type is not None:
            entry = ReusableAsset(title, asset_type, description, licence, url)
    elif kind is CapitalisationKind.REPLICATION:
        reused_by = f.text("reused_by", required=True)
        on = f.day("on") or today
        entry = Replication(
            title, reused_by, on, f.text("adaptation", max_length=LONG, multiline=True)
        )
    else:
        on = f.day("on") or today
        audience = f.text("audience", required=True)
        place = f.text("place")
        url = f.text("url", max_length=2000)
        entry = Dissemination(title, on, audience, place, url)
    f.errors.raise_if_any()
    assert entry is not None  # noqa: S101 - an error was raised otherwise
    return entry


def parse_reason(data: Mapping[str, str]) -> str:
    """The mandatory reason of an amendment or a withdrawal; raises ``FormErrors``."""
    f = Fields(data)
    reason = f.text("reason", required=True, max_length=LONG, multiline=True)
    f.errors.raise_if_any()
    return reason
