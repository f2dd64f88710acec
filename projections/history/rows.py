"""How the history writes a row, and the lookups its parts share.

``HistoryRows`` is the base of each part of the history projection (one per area):
``_add`` writes an entry, the other helpers name what it is about as it was then.
Lookups go through the batch's cache (``batch_cache``): a rebuild asks for the same
owner or label thousands of times.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, select

from projections.base import Envelope, LoggedEvent, Projection
from projections.buffer import add_row, batch_cache, in_chunks
from projections.history.tables import (
    ABOUT,
    AREA_OF_KIND,
    capitalisation_owners,
    commitment_owners,
    history,
    labels,
    owners,
)

# Per batch, the money reminders' view of a consortium: its reports by due date
# (``money_reminders``), as its history holds them, extended here when a report is
# scheduled: the only write to those rows (history rows are never changed nor
# deleted).
STATEMENTS_CACHE = "history.money_statements"
# Per batch, every label of a consortium (``consortium_labels``), extended by
# ``add_label``: labels are never changed nor deleted.
LABELS_CACHE = "history.labels"
# Per batch, labels asked one by one where their consortium's were not all loaded.
LABEL_CACHE = "history.label"


class AboutPartner(LoggedEvent, Protocol):
    """An event about one partner of the consortium whose stream it is in."""

    @property
    def partner_id(self) -> str: ...


def _value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


class HistoryRows(Projection):
    """What every part of the history projection writes with."""

    def _add(
        self,
        connection: Connection,
        envelope: Envelope[LoggedEvent],
        what: str,
        subject_id: str | None = None,
        /,
        consortium_id: str | None = None,
        about_id: str | None = None,
        **params: Any,
    ) -> None:
        """A row of ``what`` kind; ``about_id`` if it is about another thing than
        the event's aggregate (``ABOUT`` says what kind of thing)."""
        if what == "report_scheduled":
            cached = batch_cache(connection, STATEMENTS_CACHE).get(
                consortium_id or envelope.originator_id
            )
            if cached is not None:
                on = _value(params["on"])
                cached.setdefault(on, []).append(about_id or envelope.originator_id)
        add_row(
            connection,
            history,
            {
                "position": envelope.position,
                "consortium_id": consortium_id or envelope.originator_id,
                "recorded_at": envelope.recorded_at,
                "actor_id": envelope.actor_id,
                "kind": what,
                "subject_id": subject_id,
                "params": json.dumps({k: _value(v) for k, v in params.items()}),
                "area": AREA_OF_KIND[what],
                "about_kind": ABOUT[what],
                "about_id": about_id or envelope.originator_id,
            },
        )

    def _own(
        self,
        connection: Connection,
        envelope: Envelope[LoggedEvent],
        consortium_id: str,
        title: str,
    ) -> None:
        add_row(
            connection,
            owners,
            {
                "aggregate_id": envelope.originator_id,
                "consortium_id": consortium_id,
                "title": title,
            },
        )
        batch_cache(connection, "history.owners")[envelope.originator_id] = (
            consortium_id,
            title,
        )

    def _owner(self, connection: Connection, aggregate_id: str) -> tuple[str, str]:
        cache = batch_cache(connection, "history.owners")
        found: tuple[str, str] | None = cache.get(aggregate_id)
        if found is None:
            row = connection.execute(_OWNER, {"aggregate_id": aggregate_id}).one()
            found = cache[aggregate_id] = (row.consortium_id, row.title)
        return found

    def _add_about_own(
        self,
        connection: Connection,
        envelope: Envelope[LoggedEvent],
        what: str,
        subject_id: str | None = None,
        /,
        **params: Any,
    ) -> None:
        """A row about an aggregate of its own (a proposal, a report…)."""
        consortium_id, title = self._owner(connection, envelope.originator_id)
        self._add(
            connection,
            envelope,
            what,
            subject_id,
            consortium_id=consortium_id,
            title=title,
            **params,
        )

    def _add_about_partner(
        self,
        connection: Connection,
        envelope: Envelope[AboutPartner],
        what: str,
        /,
        **params: Any,
    ) -> None:
        """A row about the event's partner, named as it was then."""
        partner_id = envelope.event.partner_id
        label = self._label(connection, envelope, partner_id)
        self._add(
            connection,
            envelope,
            what,
            partner_id,
            about_id=partner_id,
            partner=label,
            **params,
        )

    def _label(
        self, connection: Connection, envelope: Envelope[LoggedEvent], subject_id: str
    ) -> str:
        return label_in(connection, envelope.originator_id, subject_id) or "?"


# Lookups of the tables above, prebuilt once (compiled once, then cached).
_OWNER = select(owners.c.consortium_id, owners.c.title).where(
    owners.c.aggregate_id == bindparam("aggregate_id")
)
_LABEL = select(labels.c.label).where(
    labels.c.consortium_id == bindparam("consortium_id"),
    labels.c.subject_id == bindparam("subject_id"),
)
_LABELS_OF = select(labels.c.consortium_id, labels.c.subject_id, labels.c.label)
_COMMITMENT_OWNER = select(commitment_owners).where(
    commitment_owners.c.commitment_id == bindparam("commitment_id")
)
_ENTRY_OWNER = select(capitalisation_owners).where(
    capitalisation_owners.c.entry_id == bindparam("entry_id")
)
_MISSING = object()


@dataclass(frozen=True)
class Owner:
    """A row of ``history_commitments`` or ``history_capitalisation``."""

    consortium_id: str
    kind: str
    commitment_id: str = ""
    entry_id: str = ""
    partner_id: str = ""
    unit: str = ""
    title: str = ""


def commitment_owner(connection: Connection, commitment_id: str) -> Owner:
    cache = batch_cache(connection, "history.commitments")
    owner: Owner | None = cache.get(commitment_id)
    if owner is None:
        row = connection.execute(
            _COMMITMENT_OWNER, {"commitment_id": commitment_id}
        ).one()
        owner = cache[commitment_id] = Owner(**row._asdict())
    return owner


def entry_owner(connection: Connection, entry_id: str) -> Owner:
    cache = batch_cache(connection, "history.entries")
    owner: Owner | None = cache.get(entry_id)
    if owner is None:
        row = connection.execute(_ENTRY_OWNER, {"entry_id": entry_id}).one()
        owner = cache[entry_id] = Owner(**row._asdict())
    return owner


def add_label(
    connection: Connection, consortium_id: str, subject_id: str, label: str
) -> None:
    add_row(
        connection,
        labels,
        {"consortium_id": consortium_id, "subject_id": subject_id, "label": label},
    )
    known: dict[str, str] | None = batch_cache(connection, LABELS_CACHE).get(
        consortium_id
    )
    if known is not None:
        known[subject_id] = label
    batch_cache(connection, LABEL_CACHE)[consortium_id, subject_id] = label


def load_labels(connection: Connection, consortium_ids: Iterable[str]) -> None:
    """Load, for the batch, every label of these consortia not loaded yet (one
    statement per ``KEYS_PER_STATEMENT`` consortia): a batch names the same few
    partners thousands of times, and asking for one at a time is a statement (a
    round trip) each."""
    _load_labels(connection, consortium_ids, batch_cache(connection, LABELS_CACHE))


def _load_labels(
    connection: Connection,
    consortium_ids: Iterable[str],
    cache: dict[str, dict[str, str]],
) -> None:
    for chunk in in_chunks(sorted({c for c in consortium_ids if c not in cache})):
        found: dict[str, dict[str, str]] = {c: {} for c in chunk}
        for row in connection.execute(
            _LABELS_OF.where(labels.c.consortium_id.in_(chunk))
        ):
            found[row.consortium_id][row.subject_id] = row.label
        cache.update(found)


def consortium_labels(connection: Connection, consortium_id: str) -> dict[str, str]:
    """Every label of a consortium (partners, bodies, tranches) by what it names,
    loaded once per batch (outside one, at each call: nothing keeps it in step)."""
    cache = batch_cache(connection, LABELS_CACHE)
    _load_labels(connection, (consortium_id,), cache)
    found: dict[str, str] = cache[consortium_id]
    return found


def label_in(connection: Connection, consortium_id: str, subject_id: str) -> str | None:
    """A partner's (or body's) name in a consortium, as recorded when it joined.

    From the consortium's labels when the batch loaded them all (``load_labels``,
    before a batch of several events), else asked alone: a command's own batch
    names one or two partners of a consortium that may have hundreds."""
    complete: dict[str, str] | None = batch_cache(connection, LABELS_CACHE).get(
        consortium_id
    )
    if complete is not None:
        return complete.get(subject_id)
    single = batch_cache(connection, LABEL_CACHE)
    label = single.get((consortium_id, subject_id), _MISSING)
    if label is _MISSING:
        label = single[consortium_id, subject_id] = connection.scalar(
            _LABEL, {"consortium_id": consortium_id, "subject_id": subject_id}
        )
    found: str | None = label
    return found
