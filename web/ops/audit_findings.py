"""What ``audit verify`` finds: each finding, the report that counts them, and the
sentence that says each one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from web.i18n import N_

MAX_FINDINGS = 1000
"""Findings kept for the report; the rest are only counted."""


@dataclass(frozen=True)
class Finding:
    """One thing wrong, where it is, and the values its sentence needs."""

    kind: str
    position: int | None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Report:
    """What the verification found."""

    events: int = 0
    chained: int = 0
    unchained: int = 0
    checkpoints: int = 0
    evidence_files: int = 0
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    findings_total: int = 0

    @property
    def ok(self) -> bool:
        return self.findings_total == 0

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0

    def add(self, finding: Finding) -> None:
        self.findings_total += 1
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(finding)


SENTENCES: dict[str, str] = {
    "altered": N_("Position %(position)s: the stored event was altered."),
    "removed": N_("Position %(position)s: the event chained here was removed."),
    "inserted": N_(
        "Position %(position)s: an event was inserted that the chain never had."
    ),
    "moved": N_(
        "Positions %(position)s to %(last)s hold the events chained at "
        "%(from_first)s to %(from_last)s: the log was reordered."
    ),
    "truncated": N_(
        "The log was truncated: the %(count)s events chained at positions "
        "%(position)s to %(last)s are missing."
    ),
    "chain_altered": N_(
        "Position %(position)s: the chain read model was altered (its hash "
        "does not follow from the stored events)."
    ),
    "checkpoint_mismatch": N_(
        "The log up to position %(position)s no longer matches the checkpoint "
        "%(checkpoint)s (%(source)s): an event at or before that position was "
        "changed, removed, inserted or reordered since it was sealed."
    ),
    "checkpoint_mismatch_after": N_(
        "The log up to position %(position)s no longer matches the checkpoint "
        "%(checkpoint)s (%(source)s), while it still matches up to position "
        "%(since)s: an event between these positions was changed, removed, "
        "inserted or reordered since it was sealed."
    ),
    "checkpoint_beyond_log": N_(
        "The checkpoint %(checkpoint)s (%(source)s) covers position %(position)s, "
        "but the log ends at %(last)s: its tail was dropped."
    ),
    "bad_signature": N_(
        "The checkpoint %(checkpoint)s (%(source)s) has an invalid signature."
    ),
    "unknown_key": N_(
        "The checkpoint %(checkpoint)s (%(source)s) was signed by key %(key_id)s, "
        "not the platform's key %(platform_key_id)s."
    ),
    "unreadable_checkpoint": N_(
        "The checkpoint %(checkpoint)s (%(source)s) cannot be read."
    ),
    "evidence_missing": N_(
        "Position %(position)s: the attached file %(sha256)s is missing."
    ),
    "evidence_altered": N_(
        "Position %(position)s: the attached file %(sha256)s was altered."
    ),
}


def describe(finding: Finding, gettext: Callable[[str], str] = str) -> str:
    """A finding in words (``gettext`` translates the sentence)."""
    params = {"position": finding.position, **finding.params}
    source = str(params.get("source", ""))
    if source.startswith("file "):
        params["source"] = gettext(N_("file %(name)s")) % {"name": source[5:]}
    elif source.startswith("log position "):
        params["source"] = gettext(N_("log position %(position)s")) % {
            "position": source[13:]
        }
    return gettext(SENTENCES[finding.kind]) % params
