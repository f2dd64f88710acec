"""Wiring the webhooks: their sender opens the sealed secrets with the platform
secrets key (``web/identity/secret_box.py``), and runs as a poller of the
scheduler's process (``consortium worker``, or ``serve`` on SQLite)."""

from __future__ import annotations

from collections.abc import Callable

from notifications.webhooks.pipeline import POLL_SECONDS, WebhookPipeline
from notifications.webhooks.store import WebhookStore
from web.identity.secret_box import SecretBox
from web.settings import Settings
from web.stores import Stores

WEBHOOK_POLLER = "webhooks"


def webhook_pipeline(stores: Stores, settings: Settings) -> WebhookPipeline:
    """The webhooks' intake and sender over this process's stores."""
    box = SecretBox(settings.secrets_key_path)
    return WebhookPipeline(
        read_side=stores.read_side,
        store=WebhookStore(stores.outbox.engine),
        open_secret=box.open,
        now=stores.clock.now,
        allow_local=settings.webhooks_allow_local,
    )


def webhook_poller(
    stores: Stores, settings: Settings
) -> tuple[str, Callable[[], object], int]:
    """The job that takes events in and sends them, every few seconds."""
    pipeline = webhook_pipeline(stores, settings)

    def run() -> str:
        queued, delivered, failed = pipeline.run()
        return f"queued={queued} delivered={delivered} failed={failed}"

    return (WEBHOOK_POLLER, run, min(POLL_SECONDS, settings.tick_seconds))
