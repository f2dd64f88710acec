"""The amendments' forms: a draft (kind, reason, the decision it follows), a new end
of the eligible period, the financer's decision. Lines reuse the plan's forms.

Shape only: whether the plan is signed, the proposal adopted, the date later, is
the domain's to say.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from governance.financing.changes import MAX_REASON, AmendmentKind
from web.forms.fields import Fields
from web.i18n import N_


@dataclass(frozen=True)
class AmendmentDraft:
    """What the coordinator gives to open an amendment."""

    kind: AmendmentKind
    reason: str
    proposal_id: UUID | None


def parse_draft(data: Mapping[str, str]) -> AmendmentDraft:
    """Parse the form opening an amendment; raises ``FormErrors``."""
    f = Fields(data)
    kind = f.choice("kind", AmendmentKind)
    reason = f.text("reason", required=True, max_length=MAX_REASON, multiline=True)
    text = f.text("proposal_id", max_length=36)
    proposal_id = None
    if text:
        try:
            proposal_id = UUID(text)
        except ValueError:
            f.errors.add("proposal_id", N_("Choose one of the options."))
    f.errors.raise_if_any()
    if kind is None:
        raise f.errors
    return AmendmentDraft(kind, reason, proposal_id)


def parse_extension(data: Mapping[str, str]) -> date:
    """Parse the new end of the eligible period; raises ``FormErrors``."""
    f = Fields(data)
    until = f.day("eligible_until", required=True)
    f.errors.raise_if_any()
    if until is None:
        raise f.errors
    return until


def parse_reason(data: Mapping[str, str], *, required: bool) -> str:
    """Parse the financer's reason; raises ``FormErrors``."""
    f = Fields(data)
    reason = f.text("reason", required=required, max_length=MAX_REASON, multiline=True)
    f.errors.raise_if_any()
    return reason
