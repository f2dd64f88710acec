"""The documents' forms: a document filed, a new version, a signature.

Shape only (required, dates, known choices); which partner may sign, whether the
amendment exists, is the domain's to say. The file itself is read by the route.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from governance.convention.values import MAX_NOTE, MAX_TITLE, DocumentKind
from web.forms.fields import Fields
from web.i18n import N_


@dataclass(frozen=True)
class DocumentForm:
    """What the coordinator gives to file a document (the file aside)."""

    kind: DocumentKind
    title: str
    partner_id: str | None
    amendment_id: UUID | None


@dataclass(frozen=True)
class SignatureForm:
    """Who signed for which partner, and when."""

    partner_id: str
    signed_by: str
    signed_on: date


def parse_document(data: Mapping[str, str]) -> DocumentForm:
    """Parse the form filing a document; raises ``FormErrors``."""
    f = Fields(data)
    kind = f.choice("kind", DocumentKind)
    title = f.text("title", required=True, max_length=MAX_TITLE)
    partner_id = f.text("partner_id", max_length=36)
    text = f.text("amendment_id", max_length=36)
    amendment_id = None
    if text:
        try:
            amendment_id = UUID(text)
        except ValueError:
            f.errors.add("amendment_id", N_("Choose one of the options."))
    f.errors.raise_if_any()
    if kind is None:
        raise f.errors
    return DocumentForm(kind, title, partner_id or None, amendment_id)


def parse_note(data: Mapping[str, str]) -> str:
    """Parse the note of a new version; raises ``FormErrors``."""
    f = Fields(data)
    note = f.text("note", max_length=MAX_NOTE)
    f.errors.raise_if_any()
    return note


def parse_signature(data: Mapping[str, str]) -> SignatureForm:
    """Parse the form recording a signature; raises ``FormErrors``."""
    f = Fields(data)
    partner_id = f.text("partner_id", required=True, max_length=36)
    signed_by = f.text("signed_by", required=True, max_length=MAX_TITLE)
    signed_on = f.day("signed_on", required=True)
    f.errors.raise_if_any()
    if signed_on is None:
        raise f.errors
    return SignatureForm(partner_id, signed_by, signed_on)
