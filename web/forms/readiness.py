"""The readiness answers' forms: personal data, beneficiary involvement."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from web.forms.fields import LONG, Fields, FormErrors
from web.i18n import N_


@dataclass(frozen=True)
class PersonalDataForm:
    """Whether the project handles personal data, and who answers for it."""

    handles_personal_data: bool
    data_protection_partner_id: str | None


def parse_personal_data(
    data: Mapping[str, str], partner_ids: list[str]
) -> PersonalDataForm:
    """Parse the personal data form; raises ``FormErrors``."""
    errors = FormErrors()
    answer = str(data.get("handles_personal_data", "")).strip()
    partner_id = str(data.get("data_protection_partner_id", "")).strip() or None
    if answer not in {"yes", "no"}:
        errors.add("handles_personal_data", N_("Choose one of the options."))
    if partner_id is not None and partner_id not in partner_ids:
        errors.add("data_protection_partner_id", N_("Choose one of the options."))
    errors.raise_if_any()
    return PersonalDataForm(answer == "yes", partner_id)


def parse_involvement(data: Mapping[str, str]) -> str:
    """How end beneficiaries are involved ("" clears it); raises ``FormErrors``."""
    f = Fields(data)
    description = f.text("beneficiary_involvement", max_length=LONG, multiline=True)
    f.errors.raise_if_any()
    return description
