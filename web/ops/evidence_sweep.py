"""Remove the evidence files no event refers to, once older than a grace period.

Why a sweep, and nothing else, removes files: files are stored by their SHA-256, so
one file can be a consortium's minutes *and* the upload of a refused delivery in
another consortium (the same bytes). A refused command therefore never deletes its
upload; this sweep removes the files that no event of any consortium refers to.

What counts as referenced: every ``Evidence`` in every stored event, read from the
log itself (``RawStore``, all consortia, in position order), never from a read model,
which may lag behind the log. A log that cannot be read stops the sweep (nothing is
removed); so does an empty log (a misconfigured database must not empty the
directory).

Why a grace period, and why it makes a command in flight safe: a command stores its
upload (``EvidenceStore.save`` stores it, or touches the existing file with the same
bytes, so its modification time is *now*) before it saves the event that refers to
it. The sweep reads the log first and only then looks at the files. A file whose
event is saved after the log was read was therefore saved less than the grace period
ago, and is kept, unless the command took longer than the grace period between
storing its upload and saving its event (seconds, at most). ``EvidenceStore.discard``
checks the age and deletes under a lock that ``save`` also takes, so a file saved
again while the sweep runs is never deleted under it. The default grace of 24 hours
leaves a wide margin (a refused upload costs its disk space for a day); a grace of 0
is only safe when no command can run, that is with the application stopped.

Upload temporaries (``.upload-*.part``) older than the grace period were left by a
killed process and go too. Each removed file is logged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from web.evidence.filestore import FileStore
from web.evidence.store import Discarded
from web.ops.raw_log import RawRecord, RawStore, evidence_in
from web.settings import Settings

logger = logging.getLogger(__name__)

DEFAULT_GRACE = timedelta(hours=24)
"""How long an unreferenced file is kept after it was last saved."""

SWEEP_EVERY = timedelta(hours=1)
"""How often the scheduler sweeps (each sweep reads the whole log)."""


_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "": "hours"}


def parse_grace(text: str) -> timedelta:
    """A grace period written ``90s``, ``30m``, ``24h``, ``2d`` (a bare number: hours).

    Raises ``ValueError`` for anything else (a negative number included).
    """
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(f"not a grace period: {text!r}")
    amount, unit = match.groups()
    try:
        return timedelta(**{_UNITS[unit]: float(amount)})
    except OverflowError as error:
        raise ValueError(f"not a grace period: {text!r}") from error


@dataclass
class SweepReport:
    """What one sweep saw and did."""

    events: int = 0
    referenced: int = 0
    kept_young: int = 0
    removed: list[Discarded] = field(default_factory=list)
    skipped: str = ""

    @property
    def removed_bytes(self) -> int:
        return sum(item.size for item in self.removed)

    def summary(self) -> str:
        """A few words for the scheduler's health summary and the command."""
        if self.skipped:
            return f"evidence_sweep=skipped({self.skipped})"
        return (
            f"evidence_swept={len(self.removed)} bytes={self.removed_bytes} "
            f"young={self.kept_young} referenced={self.referenced}"
        )


def referenced_files(records: Iterable[RawRecord], report: SweepReport) -> set[str]:
    """The SHA-256 of every file an event refers to; counts the events read."""
    referenced: set[str] = set()
    for record in records:
        report.events += 1
        referenced.update(item.sha256 for item in evidence_in(record.state))
    return referenced


def sweep_evidence(
    settings: Settings,
    store: FileStore,
    *,
    grace: timedelta = DEFAULT_GRACE,
    now: datetime | None = None,
) -> SweepReport:
    """Remove the files no event refers to, last saved more than ``grace`` ago.

    Reads the log of ``settings`` (raises ``FileNotFoundError`` if a SQLite log does
    not exist, and whatever the database raises: nothing is removed then), then the
    directory of ``store``. See the module's docstring for why a command in flight
    is safe.
    """
    if grace < timedelta(0):
        raise ValueError("the grace period cannot be negative")
    report = SweepReport()
    with RawStore(settings).records() as records:
        referenced = referenced_files(records, report)
    if report.events == 0:
        # No consortium was ever founded, so no upload was ever accepted: an empty
        # log next to files means the wrong database, not files to delete.
        report.skipped = "empty_log"
        logger.warning("evidence.sweep_skipped reason=empty_log")
        return report
    # ``now`` is not later than the log's reading: a file deleted was saved more
    # than ``grace`` before the log was read (see the module's docstring).
    cutoff = ((now or datetime.now(UTC)) - grace).timestamp()
    for name in store.stored_names():
        if name in referenced:
            report.referenced += 1
            continue
        discarded = store.discard(name, modified_before=cutoff)
        if discarded is None:
            report.kept_young += 1
            continue
        report.removed.append(discarded)
        logger.info(
            "evidence.removed name=%s bytes=%s last_saved=%s",
            discarded.name,
            discarded.size,
            datetime.fromtimestamp(discarded.modified, UTC).isoformat(),
        )
    logger.info("evidence.swept %s", report.summary())
    return report


class EvidenceSweep:
    """The periodic sweep, for the scheduler's tick: runs at most every ``every``."""

    def __init__(
        self,
        settings: Settings,
        store: FileStore,
        *,
        grace: timedelta = DEFAULT_GRACE,
        every: timedelta = SWEEP_EVERY,
    ) -> None:
        self.settings = settings
        self.store = store
        self.grace = grace
        self.every = every
        self.next_run: datetime | None = None

    def __call__(self, now: datetime) -> str:
        """Sweep if due (the first tick always is); a few words for the summary."""
        if self.next_run is not None and now < self.next_run:
            return ""
        # Set before sweeping: a failing sweep is retried next period, not every tick.
        self.next_run = now + self.every
        return sweep_evidence(
            self.settings, self.store, grace=self.grace, now=now
        ).summary()
