"""Webhooks the page tests need: one of a consortium, one of its financer's
portfolio, registered through the use case the pages run."""

from __future__ import annotations

from datetime import UTC, datetime

from notifications.webhooks.store import WebhookStore
from tests.web.conftest import World
from web.stores import Stores
from web.usecases.webhooks import Registration, subscribe


def webhook_ids(stores: Stores, world: World) -> dict[str, str]:
    """A webhook of the consortium and one of its financer's portfolio."""
    financer = stores.accounts.by_email(world.emails["financer"])
    assert financer is not None
    made = {}
    for name, scope, owner in (
        ("webhook_id", "consortium", str(world.consortium_id)),
        ("portfolio_webhook_id", "portfolio", financer.account_id),
    ):
        subscription, _ = subscribe(
            WebhookStore(stores.outbox.engine),
            stores.accounts.box,
            0,
            scope,
            owner,
            Registration("https://hooks.example.org/in", ("all",)),
            by=owner,
            now=datetime.now(UTC),
        )
        made[name] = subscription.subscription_id
    return made
