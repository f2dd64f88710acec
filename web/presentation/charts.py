"""Server-rendered charts: coordinates for small SVG figures, readable without JS.

Each function turns totals into the numbers a template needs to draw bars or a line;
the templates also print the values as text, so the figures are accessible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Bar:
    """One row of a pledged-versus-delivered bar chart."""

    label: str
    pledged: Decimal
    delivered: Decimal
    pledged_width: float
    delivered_width: float


def bars(rows: list[tuple[str, Decimal, Decimal]], width: int = 240) -> list[Bar]:
    """Bars scaled to the largest value among ``(label, pledged, delivered)``."""
    largest = max((max(p, d) for _, p, d in rows), default=Decimal(0))
    if largest <= 0:
        return [Bar(label, p, d, 0.0, 0.0) for label, p, d in rows]
    scale = Decimal(width) / largest
    return [
        Bar(label, p, d, round(float(p * scale), 1), round(float(d * scale), 1))
        for label, p, d in rows
    ]


@dataclass(frozen=True)
class Line:
    """A cumulative line against a target, ready for an SVG polyline."""

    points: str
    target_y: float
    months: tuple[tuple[float, date], ...]
    width: int
    height: int


def cumulative_line(
    series: tuple[tuple[date, Decimal], ...],
    target: Decimal,
    width: int = 480,
    height: int = 160,
) -> Line | None:
    """The delivered-over-time line, scaled so ``target`` (pledged) is the top."""
    if not series:
        return None
    top = max(target, series[-1][1], Decimal(1))
    step = width / max(len(series) - 1, 1)
    coordinates = []
    months = []
    for index, (month, value) in enumerate(series):
        x = round(index * step, 1)
        y = round(height - float(value / top) * height, 1)
        coordinates.append(f"{x},{y}")
        months.append((x, month))
    target_y = round(height - float(target / top) * height, 1)
    return Line(" ".join(coordinates), target_y, tuple(months), width, height)


@dataclass(frozen=True)
class Spark:
    """A small line of measured values against a target line."""

    points: str
    target_y: float
    baseline_y: float
    width: int
    height: int
    dots: tuple[tuple[float, float], ...] = ()
    """Each value's point (x, y), in order: a dot with its date and value."""


def sparkline(
    values: list[Decimal],
    baseline: Decimal,
    target: Decimal,
    width: int = 220,
    height: int = 48,
) -> Spark | None:
    """Values over time, scaled so baseline, target and every value fit."""
    if not values:
        return None
    low = min([baseline, target, *values])
    high = max([baseline, target, *values])
    span = (high - low) or Decimal(1)

    def y(value: Decimal) -> float:
        return round(height - float((value - low) / span) * height, 1)

    step = width / max(len(values) - 1, 1)
    dots = tuple((round(i * step, 1), y(v)) for i, v in enumerate(values))
    points = " ".join(f"{x},{y_}" for x, y_ in dots)
    return Spark(points, y(target), y(baseline), width, height, dots)
