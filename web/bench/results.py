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
    """One figure of the table and the limit it is compared with."""

    figure: str
    value: float
    unit: str
    limit: str
    limit_value: float
    goal: str
    higher_is_better: bool = True

    @property
    def ratio(self) -> float:
        return self.value / self.limit_value if self.limit_value else float("nan")

    @property
    def met(self) -> bool:
        threshold = float(self.goal.split()[-1])
        return (
            self.ratio >= threshold
            if self.higher_is_better
            else (self.ratio <= threshold)
        )


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
    reference: Store | None
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    flagship_events: int = 0
    flagship_events_after: int = 0
    reads: scale.Reads | None = None
    writes: list[scale.Writes] = field(default_factory=list)


Echo = Callable[[str], None]
