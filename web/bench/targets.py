"""What the benchmark measures: pages, the POST command, exports, commands.

Adding a page or an export to the benchmark is one line in ``PAGES`` or ``EXPORTS``.
A page's path may use ``{cid}`` (the measured consortium), ``{partner}`` (one of its
partners) and ``{deep}`` (a log position early in its history: a page reached by
keyset, "older than" it). An export is a function writing one full export of the
measured consortium to a binary file, run in its own process so its peak memory can
be measured.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, TYPE_CHECKING
from uuid import UUID

from governance.actor import Actor
from governance.values import ContributionKind, Funding, Pledge

if TYPE_CHECKING:
    from projections.history import HistoryEntry
    from web.bench.builder import Flagship
    from web.exports.ledger_stream import LedgerStream
    from web.exports.trail import TrailLine
    from web.ops.storage import Stores


@dataclass(frozen=True)
class Page:
    """A page measured through the HTTP stack."""

    name: str
    path: str


PAGES: tuple[Page, ...] = (
    Page("consortium overview", "/consortia/{cid}"),
    Page("partners", "/consortia/{cid}/partners"),
    Page("ledger", "/consortia/{cid}/ledger"),
    Page("decision log", "/consortia/{cid}/decisions"),
    Page("history, newest page", "/consortia/{cid}/history"),
    # The audit trail's oldest page: reached by keyset ("older than position P",
    # P early in the log), it costs what the newest costs however long the log.
    Page(
        "audit trail, deep page (keyset: older than position P)",
        "/consortia/{cid}/history?older_than={deep}",
    ),
    Page("audit trail, filtered", "/consortia/{cid}/history?area=reporting"),
)

SCALED: tuple[Page, ...] = (
    Page("ledger", "/consortia/{cid}/ledger"),
    Page("financing plan", "/consortia/{cid}/budget"),
    Page("funder readiness", "/consortia/{cid}/readiness"),
    Page("call for projects", "/consortia/{cid}/call"),
    Page("final financial report", "/consortia/{cid}/financial-report/final"),
    Page("indicators", "/consortia/{cid}/indicators"),
)
"""Pages whose cost must not grow with the consortium's ledger: each is measured
alone on the ten-year consortium and on a demo-sized one, in turn."""

POST_PATH = "/consortia/{cid}/partners/{partner}/axis"
"""The command posted as a form (to its redirect, read-your-writes included)."""


def post_bodies(csrf_token: str, token: str, count: int = 2) -> list[str]:
    """Form bodies for the POST: the axis alternates, so each post changes it."""
    from urllib.parse import urlencode

    return [
        urlencode({"csrf_token": csrf_token, "axis": f"Axe {token} {n}"})
        for n in range(count)
    ]


def post_body_template(csrf_token: str, token: str) -> str:
    """A form body for the POST whose ``{n}`` the load generator numbers, so that
    every post (of every writer) sets a new axis."""
    from urllib.parse import urlencode

    return urlencode({"csrf_token": csrf_token}) + f"&axis=Axe+{token}+{{n}}"


def fill(path: str, flagship: Flagship) -> str:
    """A path with the measured consortium's ids in it."""
    return path.format(
        cid=flagship.consortium_id,
        partner=flagship.partner_id,
        deep=flagship.first_positions[-1] + 1,
    )


# -- exports ---------------------------------------------------------------------


def _ledger_stream(stores: Stores, cid: str) -> LedgerStream:
    # The routes' own export, read part by part: what is measured is what is served.
    from web.exports.ledger_stream import ledger_stream

    return ledger_stream(stores.read_side.engine.connect, cid)


def ledger_csv(stores: Stores, cid: str, out: IO[bytes]) -> None:
    """The ledger as CSV, streamed to ``out``."""
    for chunk in _ledger_stream(stores, cid).csv():
        out.write(chunk.encode())


def ledger_xlsx(stores: Stores, cid: str, out: IO[bytes]) -> None:
    """The ledger as an Excel workbook."""
    out.write(_ledger_stream(stores, cid).xlsx())


def _trail_lines(stores: Stores, cid: str) -> Callable[[], Iterator[TrailLine]]:
    from starlette.routing import Router

    from projections.history import history_in_order
    from web.app import all_routes
    from web.exports.trail import TrailLine
    from web.links import paths_of
    from web.presentation.history import author, describe, link_in_consortium

    path_for = paths_of(Router(all_routes()))

    def lines() -> Iterator[TrailLine]:
        batch: list[HistoryEntry] = []

        def words() -> Iterator[TrailLine]:
            ids = {e.actor_id for e in batch} | {
                e.subject_id for e in batch if e.subject_id
            }
            names = stores.accounts.names({i for i in ids if i})
            for entry in batch:
                yield TrailLine(
                    entry,
                    author(entry, names),
                    describe(entry, names),
                    link_in_consortium(entry, path_for),
                )

        for entry in history_in_order(stores.read_side.engine, cid):
            batch.append(entry)
            if len(batch) == 500:
                yield from words()
                batch.clear()
        yield from words()

    return lines


def trail_csv(stores: Stores, cid: str, out: IO[bytes]) -> None:
    """The whole audit trail of the consortium as CSV, streamed to ``out``."""
    from web.exports.trail import trail_csv as write

    for chunk in write(_trail_lines(stores, cid)):
        out.write(chunk.encode())


def trail_xlsx(stores: Stores, cid: str, out: IO[bytes]) -> None:
    """The whole audit trail as an Excel workbook (built on disk, then copied)."""
    from web.exports.trail import file_chunks
    from web.exports.trail import trail_xlsx as write

    for chunk in file_chunks(write(_trail_lines(stores, cid), "Audit trail")):
        out.write(chunk)


EXPORTS: dict[str, Callable[[Stores, str, IO[bytes]], None]] = {
    "ledger CSV": ledger_csv,
    "ledger Excel": ledger_xlsx,
    "audit trail CSV": trail_csv,
    "audit trail Excel": trail_xlsx,
}


# -- commands through the service ------------------------------------------------


def command_cycle(stores: Stores, flagship: Flagship) -> list[Callable[[int], int]]:
    """Commands a coordinator gives, each returning its log position."""
    governance = stores.governance
    actor = Actor(flagship.coordinator_id)
    cid = UUID(flagship.consortium_id)
    partner = flagship.partner_id

    def axis(n: int) -> int:
        return governance.change_partner_axis(actor, cid, partner, f"Axe service {n}")

    def pledge(n: int) -> int:
        today = governance.clock.now().date()
        return governance.pledge(
            actor,
            cid,
            partner,
            Pledge(
                ContributionKind.FINANCIAL,
                Decimal(1000 + n),
                today,
                today,
                f"Engagement {n}",
                Funding.CO_FINANCING,
            ),
        ).position

    return [axis, pledge]
