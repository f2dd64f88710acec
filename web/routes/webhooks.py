"""Webhooks pages: a consortium's (its coordinators only) and a financer's
portfolio's, each listing its subscriptions, registering one, and for each its
deliveries (attempts, last status, last answer), "send again" for a failed one,
a new secret, pause or resume, and deletion with confirmation.

Who sees what: a consortium's page is its coordinators' (another member gets 403,
anyone outside the consortium 404, as every consortium page); the portfolio's is
for financers (anyone else 403), each seeing only their own subscriptions (another
person's is not found). The signing secret is shown once, in the answer to the
post that made it.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.errors import NotFound, NotPermitted
from governance.values import MemberRole
from notifications.webhooks.records import (
    CONSORTIUM,
    PORTFOLIO,
    Subscription,
    delivery_id,
)
from notifications.webhooks.store import WebhookStore
from projections import portfolio as portfolios
from web.auth import form_endpoint, require_account
from web.forms.fields import FormErrors
from web.htmx import redirect, render
from web.identity.accounts import Account
from web.links import path_for
from web.presentation.history import AREA_LABELS
from web.request_state import app_state, clock, request_state
from web.routes.common import consortium_access, parse_uuid, query, stores
from web.usecases.webhooks import (
    MESSAGES,
    kinds_offered,
    parse_registration,
    rotate,
    subscribe,
)

SHOWN_DELIVERIES = 50


@dataclass(frozen=True)
class Owner:
    """Whose subscriptions a page shows: a consortium's, or a financer's."""

    scope: str
    owner_id: str
    account: Account
    consortium_id: str | None

    def path(self, request: Request, name: str, **params: object) -> str:
        """The address of one of this owner's pages."""
        if self.scope == CONSORTIUM:
            return path_for(
                request, f"webhooks:{name}", consortium_id=self.consortium_id, **params
            )
        renamed = {
            ("portfolio_webhook_id" if k == "webhook_id" else k): v
            for k, v in params.items()
        }
        return path_for(request, f"portfolio_webhooks:{name}", **renamed)


def owner_of(request: Request) -> Owner:
    """The page's owner, refusing whoever may not manage its webhooks."""
    if "consortium_id" in request.path_params:
        access = consortium_access(request)  # 404 outside the consortium
        if access.membership.role is not MemberRole.COORDINATOR:
            raise NotPermitted("manage_webhooks", access.account.account_id)
        cid = str(access.consortium_id)
        return Owner(CONSORTIUM, cid, access.account, cid)
    account = require_account(request)
    if not query(request, portfolios.funds_any, account.account_id):
        raise NotPermitted("manage_webhooks", account.account_id)
    return Owner(PORTFOLIO, account.account_id, account, None)


def _store(request: Request) -> WebhookStore:
    return WebhookStore(stores(request).outbox.engine)


def _subscription(request: Request, owner: Owner) -> Subscription:
    raw = request.path_params.get("webhook_id") or request.path_params.get(
        "portfolio_webhook_id", ""
    )
    subscription_id = str(parse_uuid(raw, "webhook"))
    try:
        return _store(request).owned(owner.scope, owner.owner_id, subscription_id)
    except LookupError:
        raise NotFound("webhook", subscription_id) from None


def _allow_local(request: Request) -> bool:
    return app_state(request).settings.webhooks_allow_local


def _index(
    request: Request,
    owner: Owner,
    *,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    secret: str | None = None,
    created: Subscription | None = None,
    status_code: int = 200,
) -> Response:
    store = _store(request)
    subscribed = store.of_owner(owner.scope, owner.owner_id)
    return render(
        request,
        "webhooks/index.html",
        {
            "owner": owner,
            "consortium_id": owner.consortium_id,
            "subscriptions": subscribed,
            "counts": store.counts(s.subscription_id for s in subscribed),
            "areas": [(AREA_LABELS.get(a, a), k) for a, k in kinds_offered()],
            "values": values or {},
            "errors": errors.errors if errors else {},
            "secret": secret,
            "created": created,
            "allow_local": _allow_local(request),
            "links": {
                s.subscription_id: owner.path(
                    request, "show", webhook_id=s.subscription_id
                )
                for s in subscribed
            },
            "create_url": owner.path(request, "create"),
        },
        status_code=status_code,
    )


def index(request: Request) -> Response:
    return _index(request, owner_of(request))


@form_endpoint
def create(request: Request, fields: dict[str, str]) -> Response:
    owner = owner_of(request)
    try:
        registration = parse_registration(fields, allow_local=_allow_local(request))
        subscription, secret = subscribe(
            _store(request),
            stores(request).accounts.box,
            stores(request).read_side.log.last_position(),
            owner.scope,
            owner.owner_id,
            registration,
            by=owner.account.account_id,
            now=clock(request).now(),
        )
    except FormErrors as errors:
        return _index(request, owner, values=fields, errors=errors, status_code=400)
    # The secret is shown in this answer only: it is never shown again.
    return _index(request, owner, secret=secret, created=subscription)


def _show(
    request: Request,
    owner: Owner,
    subscription: Subscription,
    *,
    secret: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    def action(name: str, **params: object) -> str:
        return owner.path(
            request, name, webhook_id=subscription.subscription_id, **params
        )

    shown = _store(request).of_subscription(
        subscription.subscription_id, limit=SHOWN_DELIVERIES
    )
    return render(
        request,
        "webhooks/show.html",
        {
            "owner": owner,
            "consortium_id": owner.consortium_id,
            "subscription": subscription,
            "deliveries": shown,
            "secret": secret,
            "errors": errors or {},
            "index_url": owner.path(request, "index"),
            "actions": {
                name: action(name)
                for name in ("rotate", "pause", "resume", "unsubscribe")
            },
            "retry_urls": {
                d.delivery_id: action("retry", position=d.position)
                for d in shown
                if d.failed
            },
        },
        status_code=status_code,
    )


def show(request: Request) -> Response:
    owner = owner_of(request)
    return _show(request, owner, _subscription(request, owner))


@form_endpoint
def rotate_secret(request: Request, fields: dict[str, str]) -> Response:
    owner = owner_of(request)
    subscription = _subscription(request, owner)
    secret = rotate(
        _store(request),
        stores(request).accounts.box,
        subscription,
        clock(request).now(),
    )
    return _show(request, owner, _subscription(request, owner), secret=secret)


def _paused(request: Request, paused: bool) -> Response:
    owner = owner_of(request)
    subscription = _subscription(request, owner)
    _store(request).set_paused(subscription.subscription_id, paused)
    request_state(request).saved = True
    return redirect(
        request, owner.path(request, "show", webhook_id=subscription.subscription_id)
    )


@form_endpoint
def pause(request: Request, fields: dict[str, str]) -> Response:
    return _paused(request, True)


@form_endpoint
def resume(request: Request, fields: dict[str, str]) -> Response:
    return _paused(request, False)


@form_endpoint
def unsubscribe(request: Request, fields: dict[str, str]) -> Response:
    owner = owner_of(request)
    subscription = _subscription(request, owner)
    if fields.get("confirm_delete") != "yes":
        errors = {"confirm_delete": MESSAGES["webhook_confirm_delete"]}
        return _show(request, owner, subscription, errors=errors, status_code=400)
    _store(request).unsubscribe(subscription.subscription_id)
    request_state(request).saved = True
    return redirect(request, owner.path(request, "index"))


@form_endpoint
def retry(request: Request, fields: dict[str, str]) -> Response:
    owner = owner_of(request)
    subscription = _subscription(request, owner)
    text = request.path_params["position"]
    if not (text.isascii() and text.isdigit() and len(text) < 12):
        raise NotFound("delivery", text)
    again = _store(request).send_again(
        subscription.subscription_id,
        delivery_id(subscription.subscription_id, int(text)),
        clock(request).now(),
    )
    if not again:
        raise NotFound("delivery", text)
    request_state(request).saved = True
    return redirect(
        request, owner.path(request, "show", webhook_id=subscription.subscription_id)
    )


def _routes(prefix: str, name: str, param: str) -> list[Route]:
    one = f"{prefix}/{{{param}}}"
    return [
        Route(prefix, index, methods=["GET"], name=f"{name}:index"),
        Route(prefix, create, methods=["POST"], name=f"{name}:create"),
        Route(one, show, methods=["GET"], name=f"{name}:show"),
        Route(one + "/rotate", rotate_secret, methods=["POST"], name=f"{name}:rotate"),
        Route(one + "/pause", pause, methods=["POST"], name=f"{name}:pause"),
        Route(one + "/resume", resume, methods=["POST"], name=f"{name}:resume"),
        Route(
            one + "/unsubscribe",
            unsubscribe,
            methods=["POST"],
            name=f"{name}:unsubscribe",
        ),
        Route(
            one + "/deliveries/{position}/retry",
            retry,
            methods=["POST"],
            name=f"{name}:retry",
        ),
    ]


routes = [
    *_routes("/consortia/{consortium_id}/webhooks", "webhooks", "webhook_id"),
    *_routes("/portfolio/webhooks", "portfolio_webhooks", "portfolio_webhook_id"),
]
