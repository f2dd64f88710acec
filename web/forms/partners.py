"""The partners' forms: admission, paper, role, axis, withdrawal."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from governance.values import (
    AuthorityLevel,
    Paper,
    PartnerIdentity,
    PartnerKind,
    PartnerRole,
)
from web.forms.fields import LONG, Fields
from web.i18n import N_


@dataclass(frozen=True)
class PartnerForm:
    """A partner's admission, as submitted."""

    identity: PartnerIdentity
    role: PartnerRole
    axis: str
    paper: Paper
    paper_signed_on: date | None
    joined_on: date


def parse_partner(data: Mapping[str, str], *, today: date) -> PartnerForm:
    """Parse the admit-partner form; raises ``FormErrors``."""
    f = Fields(data)
    name = f.text("name", required=True)
    kind = f.choice("kind", PartnerKind)
    # Kept whatever the kind: the domain says a level is for local authorities only
    # (partner.authority_level_mismatch), next to this input.
    level = f.choice("authority_level", AuthorityLevel, required=False)
    siret = re.sub(r"\s", "", f.text("siret", max_length=40))
    rna = f.text("rna", max_length=20).upper()
    role = f.choice("role", PartnerRole)
    axis = f.text("axis", max_length=500)
    paper = f.choice("paper", Paper) or Paper.NONE
    signed_on = f.day("paper_signed_on")
    joined_on = f.day("joined_on") or today
    if kind is PartnerKind.LOCAL_AUTHORITY and level is None:
        f.errors.add("authority_level", N_("Choose the level of the local authority."))
    f.errors.raise_if_any()
    if kind is None or role is None:
        raise f.errors
    return PartnerForm(
        PartnerIdentity(name, kind, level, siret, rna),
        role,
        axis,
        paper,
        signed_on,
        joined_on,
    )


@dataclass(frozen=True)
class PaperForm:
    """A partner's paper, as submitted."""

    paper: Paper
    signed_on: date | None


def parse_paper(data: Mapping[str, str]) -> PaperForm:
    """Parse the record-paper form; raises ``FormErrors``."""
    f = Fields(data)
    paper = f.choice("paper", Paper)
    signed_on = f.day("paper_signed_on")
    f.errors.raise_if_any()
    assert paper is not None  # noqa: S101 - checked just above
    return PaperForm(paper, signed_on)


def parse_role(data: Mapping[str, str]) -> PartnerRole:
    """Parse the change-role form; raises ``FormErrors``."""
    f = Fields(data)
    role = f.choice("role", PartnerRole)
    f.errors.raise_if_any()
    assert role is not None  # noqa: S101 - checked just above
    return role


def parse_axis(data: Mapping[str, str]) -> str:
    """Parse the change-axis form; raises ``FormErrors``."""
    f = Fields(data)
    axis = f.text("axis", max_length=500)
    f.errors.raise_if_any()
    return axis


@dataclass(frozen=True)
class WithdrawalForm:
    """A partner's withdrawal, as submitted."""

    on: date
    reason: str


def parse_withdrawal(data: Mapping[str, str], *, today: date) -> WithdrawalForm:
    """Parse the withdrawal form; raises ``FormErrors``."""
    f = Fields(data)
    on = f.day("on") or today
    reason = f.text("reason", required=True, max_length=LONG, multiline=True)
    f.errors.raise_if_any()
    return WithdrawalForm(on, reason)
