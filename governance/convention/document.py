"""The convention's documents: letters, agreements, the award, each amendment signed.

A document is filed once with its first file, then versioned (a new file is a new
version; the earlier ones stay), and each partner's signature is recorded with who
signed for it and when, against the version it signed. Files are stored by their
SHA-256 like evidence (``Evidence``), so the evidence sweep counts them as
referenced. A letter of commitment or support is one partner's; an amendment's
signed copy names its amendment. Which partners and amendments exist, and who may
file, is the service's business.
"""

from __future__ import annotations

from datetime import date

from eventsourcing.domain import Aggregate, event

from governance.actor import GovernanceCreated, GovernanceEvent
from governance.convention.values import (
    MAX_NOTE,
    MAX_TITLE,
    PARTNER_LETTERS,
    DocumentKind,
    Signature,
)
from governance.errors import RuleViolated
from governance.values import Evidence


def _text(value: str, name: str, limit: int, *, required: bool) -> str:
    text = " ".join(value.split())
    if required and not text:
        raise RuleViolated(f"document.{name}_required", field=name)
    if len(text) > limit:
        raise RuleViolated("document.text_too_long", field=name, limit=limit)
    return text


class ConventionDocument(Aggregate):
    """One document of a consortium's convention, its versions and signatures."""

    class Filed(GovernanceCreated):
        consortium_id: str
        kind: DocumentKind
        title: str
        partner_id: str | None
        amendment_id: str | None
        file: Evidence

    class VersionFiled(GovernanceEvent):
        file: Evidence
        note: str

    class Signed(GovernanceEvent):
        signature: Signature

    @event(Filed)
    def __init__(
        self,
        consortium_id: str,
        kind: DocumentKind,
        title: str,
        partner_id: str | None,
        amendment_id: str | None,
        file: Evidence,
    ) -> None:
        self.consortium_id = consortium_id
        self.kind = kind
        self.title = title
        self.partner_id = partner_id
        self.amendment_id = amendment_id
        self.files: list[Evidence] = [file]
        self.signatures: dict[str, Signature] = {}

    @classmethod
    def file(
        cls,
        consortium_id: str,
        kind: DocumentKind,
        title: str,
        file: Evidence,
        *,
        partner_id: str | None = None,
        amendment_id: str | None = None,
    ) -> ConventionDocument:
        """A new document with its first version (a letter names its partner, an
        amendment's signed copy its amendment; no other kind names either)."""
        letter = kind in PARTNER_LETTERS
        if letter and not partner_id:
            raise RuleViolated("document.partner_required", field="partner_id")
        if not letter and partner_id:
            raise RuleViolated("document.partner_only_for_letters", field="partner_id")
        amending = kind is DocumentKind.AMENDMENT
        if amending and not amendment_id:
            raise RuleViolated("document.amendment_required", field="amendment_id")
        if not amending and amendment_id:
            raise RuleViolated(
                "document.amendment_only_for_amendments", field="amendment_id"
            )
        return cls(
            consortium_id=consortium_id,
            kind=kind,
            title=_text(title, "title", MAX_TITLE, required=True),
            partner_id=partner_id or None,
            amendment_id=amendment_id or None,
            file=file,
        )

    @property
    def latest(self) -> int:
        """The number of the latest version of the file (the first is 1)."""
        return len(self.files)

    def file_version(self, file: Evidence, note: str) -> None:
        """A new version of the document (the same file again is refused)."""
        if file.sha256 == self.files[-1].sha256:
            raise RuleViolated("document.same_file", field="document")
        self._file_version(
            file=file, note=_text(note, "note", MAX_NOTE, required=False)
        )

    @event(VersionFiled)
    def _file_version(self, file: Evidence, note: str) -> None:
        self.files.append(file)

    def sign(self, partner_id: str, signed_by: str, signed_on: date) -> None:
        """Record that ``partner_id`` signed the latest version (a letter: only its
        own partner signs it; a partner signs a version once)."""
        if self.partner_id is not None and partner_id != self.partner_id:
            raise RuleViolated("document.signed_by_its_partner", field="partner_id")
        signed = self.signatures.get(partner_id)
        if signed is not None and signed.version == self.latest:
            raise RuleViolated("document.already_signed", field="partner_id")
        name = _text(signed_by, "signed_by", MAX_TITLE, required=True)
        self._sign(signature=Signature(partner_id, name, signed_on, self.latest))

    @event(Signed)
    def _sign(self, signature: Signature) -> None:
        self.signatures[signature.partner_id] = signature
