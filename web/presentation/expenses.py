"""The expenses pages' view models: budget against realised as table rows and as an
SVG bar chart drawn on the server (no JavaScript), in the reader's language.

The chart is geometry only (rectangles, their positions and words): the template
writes the SVG, so every word in it is escaped like any other text of the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from governance.financing.realised import Realised
from governance.financing.values import CostCategory
from web.i18n import N_, format_money, gettext_
from web.presentation.labels import label

CHART_WIDTH = 720
LABEL_WIDTH = 220
BAR_HEIGHT = 12
GROUP_GAP = 14
MARGIN = 8
SERIES = ("planned", "realised", "accepted")


@dataclass(frozen=True)
class Row:
    """A row of a budget-against-realised table: its name and its figures."""

    name: str
    cell: Realised


@dataclass(frozen=True)
class Bar:
    series: str
    x: int
    y: int
    width: int
    words: str


@dataclass(frozen=True)
class Group:
    name: str
    y: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart: one group of three bars per row."""

    width: int
    height: int
    groups: tuple[Group, ...]
    legend: tuple[tuple[str, str], ...]


def category_rows(cells: dict[str, Realised]) -> list[Row]:
    return [Row(label(CostCategory(k)), v) for k, v in cells.items()]


def partner_rows(cells: dict[str, Realised], names: dict[str, str]) -> list[Row]:
    return [Row(names.get(k, k), v) for k, v in cells.items()]


def work_package_rows(cells: dict[str, Realised]) -> list[Row]:
    none = gettext_(N_("No work package"))
    return [Row(k or none, v) for k, v in cells.items()]


def _scaled(amount: Decimal, largest: Decimal) -> int:
    room = CHART_WIDTH - LABEL_WIDTH - 2 * MARGIN
    if largest <= 0:
        return 0
    return int(room * amount / largest)


def chart(rows: list[Row]) -> Chart:
    """Planned, realised and accepted of each row, to one scale."""
    words = {
        "planned": gettext_(N_("Budgeted")),
        "realised": gettext_(N_("Declared, not refused")),
        "accepted": gettext_(N_("Accepted amount")),
    }
    largest = max(
        (max(r.cell.planned, r.cell.realised) for r in rows), default=Decimal(0)
    )
    groups = []
    y = MARGIN
    for row in rows:
        bars = []
        for i, series in enumerate(SERIES):
            amount: Decimal = getattr(row.cell, series)
            bars.append(
                Bar(
                    series,
                    LABEL_WIDTH,
                    y + i * BAR_HEIGHT,
                    max(_scaled(amount, largest), 1 if amount > 0 else 0),
                    f"{words[series]}: {format_money(amount)}",
                )
            )
        groups.append(Group(row.name, y, tuple(bars)))
        y += len(SERIES) * BAR_HEIGHT + GROUP_GAP
    return Chart(
        CHART_WIDTH,
        y + MARGIN,
        tuple(groups),
        tuple((s, words[s]) for s in SERIES),
    )
