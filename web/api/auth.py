"""Who calls the API: a personal access token, never a cookie.

``Authorization: Bearer <token>`` is the only way in: a browser's session cookie
authenticates no API call (and no CSRF token is asked, since no ambient
credential is accepted). The token acts as its person: the actor the service
checks is the one a session of that person would give (``web.auth.actor_of``);
the token only narrows it (read-only, one consortium). A financer's token never
writes, whatever it was made with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from starlette.requests import Request

from governance.actor import Actor
from governance.errors import NotFound, NotPermitted
from governance.permissions import Action, allowed
from governance.values import MemberRole
from projections.members import MembershipRow, role_of
from web.api.problems import ApiProblem
from web.auth import actor_of
from web.i18n import LANGUAGES
from web.identity.accounts import Account
from web.identity.api_tokens import ApiToken, RateLimit
from web.request_state import app_state


@dataclass(frozen=True)
class Caller:
    """The person behind the token, and the token."""

    account: Account
    token: ApiToken

    @property
    def actor(self) -> Actor:
        """The actor the service checks: the same as the person's session gives."""
        return actor_of(self.account)


@dataclass(frozen=True)
class Access:
    """The caller's membership of the consortium in the path."""

    caller: Caller
    membership: MembershipRow
    consortium_id: UUID

    @property
    def cid(self) -> str:
        """The consortium's id as the read models keep it."""
        return str(self.consortium_id)

    def require(self, action: Action) -> None:
        """Refuse early (403) what the role does not allow, before reading the
        input, as the pages do (``web.routes.common.Access.require``); the service
        decides again, authoritatively."""
        if not allowed(self.membership.role, action):
            raise NotPermitted(action.value, self.caller.account.account_id)


def bearer(request: Request) -> str | None:
    """The token of the ``Authorization`` header, if it is a bearer one."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


CHALLENGE = 'Bearer realm="api"'


def authenticate(request: Request) -> Caller:
    """The caller, counted against its token's rate limit; raises ``ApiProblem``
    (401 without a valid token, 429 over the limit)."""
    secret = bearer(request)
    if secret is None:
        raise ApiProblem(401, "token.missing", {"WWW-Authenticate": CHALLENGE})
    app = app_state(request)
    use = app.stores.accounts.api_tokens.use(
        secret,
        now=app.clock.now(),
        limit=RateLimit(app.settings.api_calls_per_minute, timedelta(minutes=1)),
    )
    if use is None:
        raise ApiProblem(
            401,
            "token.invalid",
            {"WWW-Authenticate": CHALLENGE + ', error="invalid_token"'},
        )
    if use.retry_after is not None:
        raise ApiProblem(429, "rate_limited", {"Retry-After": str(use.retry_after)})
    return Caller(use.account, use.token)


def language(request: Request, caller: Caller | None) -> str:
    """The caller's language: ``Accept-Language``, then the account's preference,
    then English."""
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    if caller is not None:
        chosen = (
            app_state(request)
            .stores.accounts.preferences(caller.account.account_id)
            .language
        )
        if chosen in LANGUAGES:
            return str(chosen)
    return "en"


def parse_uuid(value: str) -> UUID:
    """A UUID from the path; a malformed one is simply not found."""
    try:
        return UUID(value)
    except ValueError:
        raise NotFound("resource", value) from None


def consortium_access(request: Request, caller: Caller, *, writes: bool) -> Access:
    """The caller's access to the consortium in the path.

    Not a member: 404, exactly as the pages (its existence is not revealed). A
    member whose token is for another consortium, or may only read while this
    call writes (a financer's always): 403.
    """
    consortium_id = parse_uuid(request.path_params["consortium_id"])
    with app_state(request).stores.read_side.engine.connect() as connection:
        membership = role_of(connection, str(consortium_id), caller.account.account_id)
    if membership is None:
        raise NotFound("consortium", consortium_id)
    token = caller.token
    if token.consortium_id is not None and token.consortium_id != str(consortium_id):
        raise ApiProblem(403, "token.other_consortium")
    if writes and (not token.writes or membership.role is MemberRole.FINANCER):
        raise ApiProblem(403, "token.read_only")
    return Access(caller, membership, consortium_id)
