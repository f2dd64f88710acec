"""Commands on the convention's documents (coordinators file, version and sign).

A letter names an active partner of the consortium, an amendment's signed copy an
amendment of the consortium; a signature names an active partner and a day not in
the future (the service's clock). The file is stored before the command, like any
evidence: a refused command leaves it to the evidence sweep.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from governance.actor import Actor
from governance.application.base import Created, ServiceBase
from governance.application.retrying import command
from governance.convention.document import ConventionDocument
from governance.convention.values import DocumentKind
from governance.errors import NotFound, RuleViolated
from governance.financing.amendment import Amendment
from governance.permissions import Action
from governance.values import Evidence


class DocumentCommands(ServiceBase):
    """The convention's documents: filed, versioned, signed."""

    @command
    def file_document(
        self,
        actor: Actor,
        consortium_id: UUID,
        kind: DocumentKind,
        title: str,
        file: Evidence,
        *,
        partner_id: str | None = None,
        amendment_id: UUID | None = None,
    ) -> Created:
        """File a document of the convention with its first version."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.FILE_DOCUMENTS)
            if partner_id and not consortium.is_active_partner(partner_id):
                raise RuleViolated("document.partner_not_active", field="partner_id")
            if amendment_id is not None:
                self._check_amendment(consortium_id, amendment_id)
            document = ConventionDocument.file(
                str(consortium_id),
                kind,
                title,
                file,
                partner_id=partner_id,
                amendment_id=str(amendment_id) if amendment_id else None,
            )
            return Created(str(document.id), self._save(document))

    @command
    def file_document_version(
        self,
        actor: Actor,
        consortium_id: UUID,
        document_id: UUID,
        file: Evidence,
        note: str = "",
    ) -> int:
        """File a new version of a document (the earlier ones stay)."""
        with self._acting(actor):
            self._authorised(actor, consortium_id, Action.FILE_DOCUMENTS)
            document = self._document(consortium_id, document_id)
            document.file_version(file, note)
            return self._save(document)

    @command
    def record_signature(
        self,
        actor: Actor,
        consortium_id: UUID,
        document_id: UUID,
        partner_id: str,
        signed_by: str,
        signed_on: date,
    ) -> int:
        """Record that a partner signed the document's latest version."""
        with self._acting(actor):
            consortium = self._authorised(actor, consortium_id, Action.FILE_DOCUMENTS)
            if not consortium.is_active_partner(partner_id):
                raise RuleViolated("document.partner_not_active", field="partner_id")
            if signed_on > self.clock.now().date():
                raise RuleViolated("document.signed_in_the_future", field="signed_on")
            document = self._document(consortium_id, document_id)
            document.sign(partner_id, signed_by, signed_on)
            return self._save(document)

    def _document(self, consortium_id: UUID, document_id: UUID) -> ConventionDocument:
        document = self._load(document_id, ConventionDocument, "document")
        if document.consortium_id != str(consortium_id):
            raise NotFound("document", document_id)
        return document

    def _check_amendment(self, consortium_id: UUID, amendment_id: UUID) -> None:
        try:
            amendment = self._load(amendment_id, Amendment, "amendment")
        except NotFound:
            amendment = None
        if amendment is None or amendment.consortium_id != str(consortium_id):
            raise RuleViolated("document.amendment_unknown", field="amendment_id")
