"""What ``consortium bench`` was asked, and what it measured: each figure with the
limit it is compared with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from web.bench import scale
from web.bench.builder import Flagship
from web.settings import Settings

REFERENCE_EVENTS = 10_000


@dataclass(frozen=True)
class Options:
    """What ``consortium bench`` was asked."""

    events: int
    database_url: str | None = None
    data_dir: Path | None = None
    output: Path = Path("bench-results.md")
    quick: bool = False
    reuse: bool = False
    skip_scale: bool = False


@dataclass
class Row:
    """One figure of the table and the limit it is compared with: a separate
    measurement of the same run, so that the ratio can miss its goal."""

    figure: str
    value: float
    unit: str
    limit: str
    limit_value: float
    goal: str
    """``≥ x`` or ``≤ x``: what the ratio value ÷ limit must be."""

    @property
    def higher_is_better(self) -> bool:
        return self.goal.startswith("≥")

    @property
    def threshold(self) -> float:
        return float(self.goal.split()[-1])

    @property
    def ratio(self) -> float:
        return self.value / self.limit_value if self.limit_value else float("nan")

    @property
    def met(self) -> bool:
        """Whether the ratio meets the goal (never when it could not be computed)."""
        return (
            self.ratio >= self.threshold
            if self.higher_is_better
            else (self.ratio <= self.threshold)
        )

    @property
    def off_by(self) -> float:
        """How far from the goal, as a factor (1 or less when met): the ratio must
        grow (``≥``) or shrink (``≤``) this many times to meet it."""
        if self.ratio != self.ratio or self.ratio <= 0:  # nan, or nothing measured
            return float("inf")
        if self.higher_is_better:
            return self.threshold / self.ratio
        return self.ratio / self.threshold


@dataclass
class PageTimes:
    """One page's load: GET/s and latency with 4 connections, latency with 1."""

    name: str
    connections: int
    rate: float
    p50_ms: float
    p95_ms: float
    alone_p50_ms: float
    alone_p95_ms: float
    reference_p95_ms: float


@dataclass
class Store:
    """A built store: its settings and what the build made."""

    settings: Settings
    flagship: Flagship
    events: int
    consortia: int
    build_seconds: float
    rebuild: tuple[int, float] = (0, 0.0)


@dataclass
class Results:
    """Everything the run measured, for the table."""

    options: Options
    store: Store
    reference: Store
    rows: list[Row] = field(default_factory=list)
    pages: list[PageTimes] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    flagship_events: int = 0
    flagship_events_after: int = 0
    reads: scale.Reads | None = None
    writes: list[scale.Writes] = field(default_factory=list)


Echo = Callable[[str], None]
