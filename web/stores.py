"""The process's stores and its one clock, as the composition root hands them out.

Opening them is ``web.ops.storage``'s job; this module only names what a process
holds, low enough in ``web`` that the request state (``web.request_state``) can
carry it to the middleware and the routes.
"""

from __future__ import annotations

from dataclasses import dataclass

from governance.application import Governance
from governance.clock import Clock
from notifications.health import Health
from notifications.notice_store import NoticeStore
from notifications.outbox import Outbox
from projections.runtime import ReadSide
from web.evidence.filestore import FileStore
from web.identity.store import Accounts
from web.usecases import UseCases


@dataclass
class Stores:
    """Everything a process needs to serve requests or run jobs."""

    governance: Governance
    read_side: ReadSide
    accounts: Accounts
    # Every stored file (evidence, documents, deliverables…): on disk or in the
    # database, as the settings choose (``web/evidence/filestore.py``).
    evidence: FileStore
    outbox: Outbox
    # The notices and their read marks (every page's header counts them).
    notices: NoticeStore
    health: Health
    # What spans them: inviting, reset links, erasure (``web/usecases``).
    usecases: UseCases
    # The one clock of the process: the service, the accounts store, the jobs and
    # the pages all read it (tests and the demo pass their own to ``open_stores``).
    clock: Clock

    def close(self) -> None:
        """Release connections (the library needs an explicit close)."""
        self.governance.close()
        self.evidence.close()
        self.read_side.engine.dispose()
        self.read_side.attached_engine.dispose()
        self.accounts.engine.dispose()
