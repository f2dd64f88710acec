"""The words of the convention's documents: their kinds and signatures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

MAX_TITLE = 200
MAX_NOTE = 500


class DocumentKind(Enum):
    """What a document of the convention is."""

    LETTER_OF_COMMITMENT = "letter_of_commitment"
    LETTER_OF_SUPPORT = "letter_of_support"
    PARTNERSHIP_CONVENTION = "partnership_convention"
    CONSORTIUM_AGREEMENT = "consortium_agreement"
    FUNDING_AGREEMENT = "funding_agreement"
    AMENDMENT = "amendment"


PARTNER_LETTERS = (DocumentKind.LETTER_OF_COMMITMENT, DocumentKind.LETTER_OF_SUPPORT)
"""The kinds that are one partner's (each names its partner)."""

AGREEMENTS = (DocumentKind.PARTNERSHIP_CONVENTION, DocumentKind.CONSORTIUM_AGREEMENT)
"""The kinds the partners sign together: a signature is a partner's written
commitment, as a letter is."""


@dataclass(frozen=True)
class Signature:
    """A partner's signature of a document: who signed for it, when, which version."""

    partner_id: str
    signed_by: str
    signed_on: date
    version: int
