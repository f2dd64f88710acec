"""The account's personal access tokens (``/account/tokens``): made, listed, revoked.

The secret is shown once, on the answer to the form that made it (never stored in
clear, never shown again). A financer's token is read-only whatever is asked: the
scope is lowered when the token is made, and a write is refused again on each call
(``web/api/auth.py``) where the person's role is financer.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.errors import NotFound
from governance.values import MemberRole
from projections.consortia import consortia_of
from projections.members import memberships_of_account
from web.auth import form_endpoint, require_account
from web.forms.api_tokens import LIFETIMES, parse_revocation, parse_token
from web.forms.fields import FormErrors
from web.htmx import redirect, render
from web.identity.accounts import Account
from web.identity.api_tokens import READ
from web.links import path_for
from web.request_state import clock
from web.routes.common import queries, stores


def _choices(request: Request, account: Account) -> dict[str, Any]:
    with queries(request) as connection:
        consortia = consortia_of(connection, account.account_id)
        roles = {
            m.consortium_id: m.role
            for m in memberships_of_account(connection, account.account_id)
        }
    return {"consortia": consortia, "roles": roles}


def _context(request: Request, account: Account) -> dict[str, Any]:
    choices = _choices(request, account)
    names = {c.consortium_id: c.name for c in choices["consortia"]}
    return {
        **choices,
        "tokens": stores(request).accounts.api_tokens.tokens_of(account.account_id),
        "consortium_names": names,
        "lifetimes": LIFETIMES,
        "now": clock(request).now(),
        "done": request.query_params.get("done", ""),
    }


def tokens_page(request: Request) -> Response:
    account = require_account(request)
    return render(
        request,
        "account/tokens.html",
        {**_context(request, account), "values": {"scope": READ}, "errors": {}},
    )


def only_financer(roles: dict[str, MemberRole], consortium_id: str | None) -> bool:
    """Whether every role the token would cover is financer's (read-only)."""
    covered = [r for c, r in roles.items() if consortium_id in (None, c)]
    return bool(covered) and all(r is MemberRole.FINANCER for r in covered)


@form_endpoint
def create_token(request: Request, fields: dict[str, str]) -> Response:
    account = require_account(request)
    context = _context(request, account)
    roles: dict[str, MemberRole] = context["roles"]
    try:
        form = parse_token(fields, roles)
    except FormErrors as errors:
        return render(
            request,
            "account/tokens.html",
            {**context, "values": fields, "errors": errors.errors},
            status_code=422,
        )
    scope = READ if only_financer(roles, form.consortium_id) else form.scope
    now = clock(request).now()
    secret, token = stores(request).accounts.api_tokens.create(
        account.account_id,
        name=form.name,
        scope=scope,
        consortium_id=form.consortium_id,
        now=now,
        expires_at=now + timedelta(days=form.days) if form.days else None,
    )
    return render(
        request,
        "account/tokens.html",
        {
            **_context(request, account),
            "values": {"scope": READ},
            "errors": {},
            "secret": secret,
            "made": token,
            "lowered": scope != form.scope,
        },
    )


def _own_token(request: Request, account: Account) -> Any:
    token_id = request.path_params["token_id"]
    token = stores(request).accounts.api_tokens.token_of(account.account_id, token_id)
    if token is None:
        raise NotFound("token", token_id)
    return token


def revoke_page(request: Request) -> Response:
    account = require_account(request)
    return render(
        request,
        "account/token_revoke.html",
        {"token": _own_token(request, account), "errors": {}},
    )


@form_endpoint
def revoke(request: Request, fields: dict[str, str]) -> Response:
    account = require_account(request)
    token = _own_token(request, account)
    try:
        parse_revocation(fields)
    except FormErrors as errors:
        return render(
            request,
            "account/token_revoke.html",
            {"token": token, "errors": errors.errors},
            status_code=422,
        )
    stores(request).accounts.api_tokens.revoke(
        account.account_id, token.token_id, now=clock(request).now()
    )
    return redirect(request, path_for(request, "account:tokens") + "?done=revoked")


def api_examples(request: Request) -> Response:
    require_account(request)
    base = str(request.base_url).rstrip("/")
    return render(request, "account/api_examples.html", {"base": base})


routes = [
    Route("/account/tokens", tokens_page, methods=["GET"], name="account:tokens"),
    Route(
        "/account/tokens", create_token, methods=["POST"], name="account:create_token"
    ),
    Route(
        "/account/tokens/{token_id}/revoke",
        revoke_page,
        methods=["GET"],
        name="account:revoke_token_page",
    ),
    Route(
        "/account/tokens/{token_id}/revoke",
        revoke,
        methods=["POST"],
        name="account:revoke_token",
    ),
    Route("/account/api", api_examples, methods=["GET"], name="account:api"),
]
