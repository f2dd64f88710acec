"""The financial report's forms: a variance explained, the certification.

Shape only (required, lengths, known categories); the report's rules (an
explanation unchanged, a variance left unexplained, statements still waiting) are
the domain's, which names the input it refuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from governance.financing.report_values import MAX_EXPLANATION
from governance.financing.values import DIRECT_CATEGORIES, CostCategory
from web.forms.fields import Fields
from web.i18n import N_


@dataclass(frozen=True)
class Explanation:
    """A category and the coordinator's words on its variance."""

    category: CostCategory
    text: str


@dataclass(frozen=True)
class Certification:
    """Who certifies the report, and in which capacity."""

    signatory: str
    capacity: str


def parse_explanation(data: Mapping[str, str]) -> Explanation:
    """Parse a variance's explanation; raises ``FormErrors``."""
    f = Fields(data)
    category = f.choice("category", CostCategory)
    text = f.text(
        "explanation", required=True, max_length=MAX_EXPLANATION, multiline=True
    )
    if category is not None and category not in DIRECT_CATEGORIES:
        f.errors.add("category", N_("Choose one of the options."))
    f.errors.raise_if_any()
    if category is None:
        raise f.errors
    return Explanation(category, text)


def parse_certification(data: Mapping[str, str]) -> Certification:
    """Parse the certification: a name, a capacity, and the box ticked."""
    f = Fields(data)
    signatory = f.text("signatory", required=True)
    capacity = f.text("capacity", required=True)
    if not data.get("certify"):
        f.errors.add(
            "certify", N_("Tick the box to certify the information of this report.")
        )
    f.errors.raise_if_any()
    return Certification(signatory, capacity)
