"""The history of the convention's documents: filed, versioned, signed.

A document is an aggregate of its own: its rows go to its consortium's history (its
owner, recorded when filed, titled by the document's title).
"""

from __future__ import annotations

from sqlalchemy import Connection

from governance import events
from projections.base import Envelope, on
from projections.history.rows import HistoryRows, label_in


class DocumentsHistory(HistoryRows):
    """Each event of the convention's documents, in its consortium's history."""

    @on(events.DocumentFiled)
    def document_filed(
        self, connection: Connection, envelope: Envelope[events.DocumentFiled]
    ) -> None:
        event = envelope.event
        self._own(connection, envelope, event.consortium_id, event.title)
        self._add_about_own(
            connection, envelope, "document_filed", document_kind=event.kind
        )

    @on(events.DocumentVersionFiled)
    def document_version_filed(
        self, connection: Connection, envelope: Envelope[events.DocumentVersionFiled]
    ) -> None:
        self._add_about_own(connection, envelope, "document_version_filed")

    @on(events.DocumentSigned)
    def document_signed(
        self, connection: Connection, envelope: Envelope[events.DocumentSigned]
    ) -> None:
        signature = envelope.event.signature
        consortium_id, _ = self._owner(connection, envelope.originator_id)
        self._add_about_own(
            connection,
            envelope,
            "document_signed",
            signature.partner_id,
            partner=label_in(connection, consortium_id, signature.partner_id) or "?",
            signed_by=signature.signed_by,
            on=signature.signed_on,
        )
