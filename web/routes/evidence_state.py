"""What a page says about stored files, from what is recorded: no file is read.

A page view must cost the same whatever the files weigh (on PostgreSQL they are
rows of the database): so a page never hashes a file. What it shows comes from
the event (the SHA-256 and size recorded with the delivery), the file store's
index (``FileStore.sizes``: a directory entry or a ``stored_files`` row) and the
last finished audit verification of the consortium, which did hash every file
(``web.ops.audit_scope``; "Verify now" on the audit page, ``consortium audit
verify``). A file missing, or of another size than recorded, shows at once; one
altered in place shows once an audit has found it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from governance.values import Evidence
from web.evidence.filestore import FileStore
from web.ops.audit_requests import AuditVerifications
from web.ops.audit_scope import ScopedReport

FILE_FINDINGS = frozenset({"evidence_missing", "evidence_altered"})


class FileState(StrEnum):
    """What the page says about one recorded file."""

    STORED = "stored"  # present, with the recorded size
    MISSING = "missing"  # gone, or another size than recorded
    ALTERED = "altered"  # the last audit found it changed or missing


def audit_flagged(verifications: AuditVerifications, consortium_id: str) -> set[str]:
    """The files the consortium's last finished verification found altered or
    missing (their SHA-256): one row read, the report it stored."""
    _, last = verifications.latest(consortium_id)
    if last is None or not last.report:
        return set()
    report = ScopedReport.from_json(last.report)
    return {
        str(f.params["sha256"])
        for f in report.findings
        if f.kind in FILE_FINDINGS and "sha256" in f.params
    }


def file_states(
    store: FileStore, recorded: Iterable[Evidence], flagged: set[str]
) -> dict[str, FileState]:
    """Each recorded file's state, by SHA-256, without reading any content."""
    files = list(recorded)
    sizes = store.sizes(e.sha256 for e in files)
    states: dict[str, FileState] = {}
    for evidence in files:
        if sizes.get(evidence.sha256) != evidence.size:
            states[evidence.sha256] = FileState.MISSING
        elif evidence.sha256 in flagged:
            states[evidence.sha256] = FileState.ALTERED
        else:
            states[evidence.sha256] = FileState.STORED
    return states
