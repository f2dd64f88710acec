"""The convention's documents read model: each document, its versions, signatures.

Feeds the documents page, the download of each version and the readiness check
(which partner has a letter filed, or signed an agreement).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import Column, Connection, Date, Integer, String, Table, Text, select

from governance import events
from governance.convention.values import AGREEMENTS, PARTNER_LETTERS, DocumentKind
from governance.values import Evidence
from projections.base import Envelope, Projection, UtcDateTime, metadata, on
from projections.buffer import add_row, find_row, update_rows

documents = Table(
    "convention_documents",
    metadata,
    Column("document_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("title", Text, nullable=False),
    Column("partner_id", String(36)),
    Column("amendment_id", String(36)),
    Column("filed_at", UtcDateTime, nullable=False),
)

versions = Table(
    "convention_document_versions",
    metadata,
    Column("document_id", String(36), primary_key=True),
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("media_type", Text, nullable=False),
    Column("filename", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("filed_at", UtcDateTime, nullable=False),
    Column("filed_by", String(64), nullable=False),
)

signatures = Table(
    "convention_document_signatures",
    metadata,
    Column("document_id", String(36), primary_key=True),
    Column("partner_id", String(36), primary_key=True),
    Column("consortium_id", String(36), nullable=False, index=True),
    Column("signed_by", Text, nullable=False),
    Column("signed_on", Date, nullable=False),
    Column("version", Integer, nullable=False),
)


@dataclass(frozen=True)
class VersionRow:
    """A version of a document: its file, who filed it, when."""

    number: int
    file: Evidence
    note: str
    filed_at: datetime
    filed_by: str


@dataclass(frozen=True)
class SignatureRow:
    """A partner's signature: who signed for it, when, which version."""

    partner_id: str
    signed_by: str
    signed_on: date
    version: int


@dataclass(frozen=True)
class DocumentRow:
    """A document of the convention with its versions (oldest first) and signatures."""

    document_id: str
    kind: DocumentKind
    title: str
    partner_id: str | None
    amendment_id: str | None
    filed_at: datetime
    versions: tuple[VersionRow, ...]
    signatures: tuple[SignatureRow, ...]

    @property
    def latest(self) -> VersionRow:
        return self.versions[-1]


def _consortium(connection: Connection, document_id: str) -> str:
    row = find_row(connection, documents, {"document_id": document_id})
    if row is None:
        raise LookupError(f"no document {document_id}")
    return str(row["consortium_id"])


class DocumentsProjection(Projection):
    """The documents of each consortium's convention."""

    name: ClassVar[str] = "documents"
    tables: ClassVar[tuple[Table, ...]] = (documents, versions, signatures)

    def _version(
        self,
        connection: Connection,
        envelope: Envelope[Any],
        consortium_id: str,
        number: int,
        file: Evidence,
        note: str,
    ) -> None:
        add_row(
            connection,
            versions,
            {
                "document_id": envelope.originator_id,
                "number": number,
                "consortium_id": consortium_id,
                "sha256": file.sha256,
                "size": file.size,
                "media_type": file.media_type,
                "filename": file.filename,
                "note": note,
                "filed_at": envelope.recorded_at,
                "filed_by": envelope.actor_id,
            },
        )

    @on(events.DocumentFiled)
    def filed(
        self, connection: Connection, envelope: Envelope[events.DocumentFiled]
    ) -> None:
        event = envelope.event
        add_row(
            connection,
            documents,
            {
                "document_id": envelope.originator_id,
                "consortium_id": event.consortium_id,
                "kind": event.kind.value,
                "title": event.title,
                "partner_id": event.partner_id,
                "amendment_id": event.amendment_id,
                "filed_at": envelope.recorded_at,
            },
        )
        self._version(connection, envelope, event.consortium_id, 1, event.file, "")

    @on(events.DocumentVersionFiled)
    def version_filed(
        self, connection: Connection, envelope: Envelope[events.DocumentVersionFiled]
    ) -> None:
        consortium_id = _consortium(connection, envelope.originator_id)
        number = connection.scalar(
            select(versions.c.number)
            .where(versions.c.document_id == envelope.originator_id)
            .order_by(versions.c.number.desc())
            .limit(1)
        )
        self._version(
            connection,
            envelope,
            consortium_id,
            int(number or 0) + 1,
            envelope.event.file,
            envelope.event.note,
        )

    @on(events.DocumentSigned)
    def signed(
        self, connection: Connection, envelope: Envelope[events.DocumentSigned]
    ) -> None:
        consortium_id = _consortium(connection, envelope.originator_id)
        signature = envelope.event.signature
        key = {
            "document_id": envelope.originator_id,
            "partner_id": signature.partner_id,
        }
        values = {
            "signed_by": signature.signed_by,
            "signed_on": signature.signed_on,
            "version": signature.version,
        }
        if find_row(connection, signatures, key) is None:
            add_row(
                connection,
                signatures,
                {**key, "consortium_id": consortium_id, **values},
            )
        else:
            update_rows(connection, signatures, key, values)


def documents_of(connection: Connection, consortium_id: str) -> list[DocumentRow]:
    """A consortium's documents, in the order filed."""
    by_document: dict[str, list[VersionRow]] = {}
    for r in connection.execute(
        select(versions)
        .where(versions.c.consortium_id == consortium_id)
        .order_by(versions.c.number)
    ):
        by_document.setdefault(r.document_id, []).append(
            VersionRow(
                r.number,
                Evidence(r.sha256, r.size, r.media_type, r.filename),
                r.note,
                r.filed_at,
                r.filed_by,
            )
        )
    signed: dict[str, list[SignatureRow]] = {}
    for r in connection.execute(
        select(signatures)
        .where(signatures.c.consortium_id == consortium_id)
        .order_by(signatures.c.signed_on, signatures.c.partner_id)
    ):
        signed.setdefault(r.document_id, []).append(
            SignatureRow(r.partner_id, r.signed_by, r.signed_on, r.version)
        )
    rows = connection.execute(
        select(documents)
        .where(documents.c.consortium_id == consortium_id)
        .order_by(documents.c.filed_at, documents.c.document_id)
    )
    return [
        DocumentRow(
            r.document_id,
            DocumentKind(r.kind),
            r.title,
            r.partner_id,
            r.amendment_id,
            r.filed_at,
            tuple(by_document.get(r.document_id, ())),
            tuple(signed.get(r.document_id, ())),
        )
        for r in rows
    ]


def documented_partners(documents_filed: list[DocumentRow]) -> set[str]:
    """The partners whose written commitment is on file: a letter filed for them,
    or their signature on the partnership convention or consortium agreement."""
    found: set[str] = set()
    for document in documents_filed:
        if document.kind in PARTNER_LETTERS and document.partner_id:
            found.add(document.partner_id)
        if document.kind in AGREEMENTS:
            found.update(s.partner_id for s in document.signatures)
    return found
