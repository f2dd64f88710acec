"""Registering webhooks: the address checked, the secret made and sealed, shown once.

The secret must be read back to sign each delivery, so it is sealed with the
platform secrets key (``web/identity/secret_box.py``), bound to its subscription's
id, never kept in clear; the person who registers (or rotates) sees it once.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import uuid4

from notifications.webhooks.addresses import AddressRefused, check_url
from notifications.webhooks.records import ALL_KINDS, Subscription
from notifications.webhooks.signing import new_secret
from notifications.webhooks.store import WebhookStore
from projections.history.tables import AREA_OF_KIND, AREAS
from web.forms.fields import LINE_BREAK, FormErrors
from web.i18n import N_
from web.identity.secret_box import SecretBox

MAX_PER_OWNER = 10
KIND_PREFIX = "kind_"

# Why a registration is refused, in words (the form shows them translated).
MESSAGES = {
    "webhook_url_invalid": N_("Give a web address, such as https://example.org/hook."),
    "webhook_url_scheme": N_("The address must begin with https://."),
    "webhook_url_credentials": N_(
        "The address may not hold a user name or a password."
    ),
    "webhook_url_private": N_(
        "The address must be public: a private, local or reserved one is refused."
    ),
    "webhook_kinds_required": N_("Pick at least one kind of event, or all of them."),
    "webhook_too_many": N_("At most 10 webhooks may be registered here."),
    "webhook_confirm_delete": N_("Tick the box to confirm the deletion."),
}


@dataclass(frozen=True)
class Registration:
    """What the form asks for: the address and the event kinds."""

    url: str
    kinds: tuple[str, ...]


def kinds_offered() -> list[tuple[str, tuple[str, ...]]]:
    """The event kinds one may pick, by area of the history."""
    return list(AREAS.items())


def parse_registration(fields: Mapping[str, str], *, allow_local: bool) -> Registration:
    """The address and kinds of the form; ``FormErrors`` if either will not do."""
    errors = FormErrors()
    url = fields.get("url", "").strip()
    if LINE_BREAK.search(url):
        errors.add("url", MESSAGES["webhook_url_invalid"])
    else:
        try:
            check_url(url, allow_local=allow_local)
        except AddressRefused as refused:
            errors.add("url", MESSAGES[refused.code])
    if fields.get(KIND_PREFIX + ALL_KINDS) == "on":
        kinds: tuple[str, ...] = (ALL_KINDS,)
    else:
        kinds = tuple(
            kind for kind in AREA_OF_KIND if fields.get(KIND_PREFIX + kind) == "on"
        )
    if not kinds:
        errors.add("kinds", MESSAGES["webhook_kinds_required"])
    errors.raise_if_any()
    return Registration(url, kinds)


def subscribe(
    store: WebhookStore,
    box: SecretBox,
    log_position: int,
    scope: str,
    owner_id: str,
    registration: Registration,
    *,
    by: str,
    now: datetime,
) -> tuple[Subscription, str]:
    """Store a subscription; returns it and its secret (to be shown once)."""
    if len(store.of_owner(scope, owner_id)) >= MAX_PER_OWNER:
        raise FormErrors({"url": MESSAGES["webhook_too_many"]})
    # Deliveries begin with the events after this one (if the intake never ran).
    store.start(log_position)
    subscription_id = str(uuid4())
    secret = new_secret()
    subscription = Subscription(
        subscription_id=subscription_id,
        scope=scope,
        owner_id=owner_id,
        url=registration.url,
        kinds=registration.kinds,
        secret_sealed=box.seal(secret, subscription_id),
        paused=False,
        created_by=by,
        created_at=now,
        secret_rotated_at=None,
    )
    store.subscribe(subscription)
    return subscription, secret


def rotate(
    store: WebhookStore, box: SecretBox, subscription: Subscription, now: datetime
) -> str:
    """A new secret for the subscription; returns it (to be shown once)."""
    secret = new_secret()
    sealed = box.seal(secret, subscription.subscription_id)
    store.rotate(subscription.subscription_id, sealed, now=now)
    return secret


def kinds_words(kinds: Collection[str]) -> list[str]:
    """The kinds of a subscription as listed on its page."""
    return sorted(kinds)
