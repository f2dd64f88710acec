"""What the route modules share: reading read models, access to a consortium.

Access to a consortium's pages is decided from the members read model: no
membership, 404 (existence not revealed). The role found decides what is shown; the
service decides again, authoritatively, on each command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from governance.errors import NotFound, NotPermitted
from governance.permissions import Action, allowed
from notifications.page_unread import member_facts_and_unread
from projections.base import ReadConnection
from projections.members import MembershipRow, role_of
from projections.page_facts import LayoutFacts
from web.auth import current_session, require_account
from web.htmx import wants_fragment
from web.identity.accounts import Account
from web.own_writes import remember, settle
from web.presentation.layout import MAX_UNREAD, REMINDER_LIMIT, Layout
from web.request_state import request_state
from web.request_state import stores as stores_of

if TYPE_CHECKING:
    from starlette.requests import Request

    from web.stores import Stores

T = TypeVar("T")


def stores(request: Request) -> Stores:
    """The process's stores."""
    return stores_of(request)


def query(request: Request, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a read-model query function on a fresh connection (after the request's
    own command, if it ran one, is applied: ``web.own_writes.settle``)."""
    settle(request)
    with stores(request).read_side.engine.connect() as connection:
        return function(connection, *args, **kwargs)


def queries(request: Request, *, attached: bool = False) -> ReadConnection:
    """A read-model connection for several queries (use as a context manager),
    once the request's own command, if any, is applied; ``attached``: one that
    reaches the accounts' tables too (``ReadSide.attached_engine``)."""
    settle(request)
    read_side = stores(request).read_side
    engine = read_side.attached_engine if attached else read_side.engine
    return engine.connect()


def parse_uuid(value: str, kind: str = "consortium") -> UUID:
    """A UUID from a path segment; a malformed one is simply not found."""
    try:
        return UUID(value)
    except ValueError:
        raise NotFound(kind, value) from None


def page_number(request: Request) -> int:
    """The ``page`` query parameter, from 1; anything else (letters, "²", a number
    too long for an offset) is page 1 rather than an error."""
    text = request.query_params.get("page", "")
    if text.isascii() and text.isdigit() and len(text) < 6:
        return max(int(text), 1)
    return 1


@dataclass(frozen=True)
class Access:
    """The logged-in person and their membership of the consortium in the path."""

    account: Account
    membership: MembershipRow
    consortium_id: UUID

    def can(self, action: Action) -> bool:
        """Whether the person's role allows ``action`` (to decide what to show)."""
        return allowed(self.membership.role, action)

    def require(self, action: Action, *, shown: bool = True) -> None:
        """Refuse early (403) what the role does not allow, before reading the form.

        For a page, ``shown`` false also refuses it: a page whose form asks for a
        change this person may not make here (another partner's commitment, a
        withdrawn entry). This decides only what is shown: on every command the
        service decides, authoritatively. The one place routes refuse.
        """
        if not (shown and self.can(action)):
            raise NotPermitted(action.value, self.account.account_id)

    @property
    def abilities(self) -> dict[str, bool]:
        """``{action value: allowed}`` for templates."""
        return {action.value: self.can(action) for action in Action}


def consortium_access(request: Request) -> Access:
    """The person's access to the consortium in the path; 404 for non-members."""
    account = require_account(request)
    consortium_id = parse_uuid(request.path_params["consortium_id"])
    key = (str(consortium_id), account.account_id)
    if request.method not in ("GET", "HEAD"):
        # A command may change the membership it renders with afterwards.
        membership = query(request, role_of, *key)
    else:
        # Asked once per page: its tag (``web.routes.conditional``) and the page.
        known = request_state(request).memberships
        if key not in known:
            known[key] = _member_of(request, *key)
        membership = known[key]
    if membership is None:
        raise NotFound("consortium", consortium_id)
    return Access(account, membership, consortium_id)


def _member_of(
    request: Request, consortium_id: str, account_id: str
) -> MembershipRow | None:
    """The membership, asked with the layout (its unread count too) while nothing
    has asked it yet (a whole page shows the layout: one statement, not two; a
    fragment shows none)."""
    state = request_state(request)
    if state.layout is not None or wants_fragment(request):
        return query(request, role_of, consortium_id, account_id)
    membership, state.layout = layout_and_membership(request, account_id, consortium_id)
    return membership


def layout_and_membership(
    request: Request, account_id: str, consortium_id: str | None
) -> tuple[MembershipRow | None, Layout]:
    """The layout of ``account_id`` (the request's person) and their membership of
    ``consortium_id`` (None: no consortium, no membership), in one statement with
    the unread count (``notifications.page_unread``)."""
    seen = notices_seen_at(request, account_id)
    with queries(request, attached=True) as connection:
        membership, facts, unread = member_facts_and_unread(
            connection,
            consortium_id,
            account_id,
            seen,
            REMINDER_LIMIT,
            MAX_UNREAD + 1,
        )
    return membership, counted_layout(facts, unread)


def counted_layout(facts: LayoutFacts, unread: int) -> Layout:
    """The layout from the read models' facts and the unread count asked with
    them."""
    return Layout(portfolio=facts.funds_any, unread=unread)


def notices_seen_at(request: Request, account_id: str) -> datetime | None:
    """When the request's person (``account_id``) last marked everything read."""
    session = current_session(request)
    known = session.preferences if session is not None else None
    if known is None or request.method not in ("GET", "HEAD"):
        # A command may have changed them since the session was looked up.
        known = stores(request).accounts.preferences(account_id)
    return known.notifications_seen_at


def committed(request: Request, position: int) -> None:
    """A command's events are committed at ``position``: the answer need not wait.

    A redirect is answered at once; the browser's next request waits until the read
    models include ``position`` (``web.own_writes``), and so does this one if it
    reads them (a fragment rendered in place). A database fault from now on says
    the command was saved (``web.faults``).
    """
    remember(request, position)


def wait_for(request: Request, position: int) -> None:
    """Read-your-writes now: the read models include ``position`` before rendering.

    Called once the command's events are committed: a database fault while the
    read models catch up does not undo the command. The read side retries on the
    next catch-up; the page says the change was saved (``web.faults``).
    """
    remember(request, position)
    settle(request)
