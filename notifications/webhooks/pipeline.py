"""The webhooks' two steps, run by the scheduler's process beside the e-mails:
``intake`` queues the deliveries of the new history entries, ``send`` drains the
queue. Both are idempotent and safe in two processes at once (the intake moves its
position conditionally, the sender claims each delivery), so the poller that runs
them is not tied to the scheduler's lead.

At least once: a sender killed between the receiver's answer and its mark sends
that delivery again once its claim expires, with the same ``X-Consortium-Delivery``
and ``X-Consortium-Position``, by which the receiver knows it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import monotonic

from notifications.webhooks.intake import take_in
from notifications.webhooks.records import Delivery
from notifications.webhooks.sender import Attempt, Outcome, post
from notifications.webhooks.store import WebhookStore
from projections.runtime import ReadSide

logger = logging.getLogger(__name__)

SEND_BUDGET = 30.0
# Delivered deliveries are kept this long on the webhook's page, then forgotten.
KEPT = timedelta(days=30)
SEND_BATCH = 100
POLL_SECONDS = 5


@dataclass
class WebhookPipeline:
    """Intake and sending, wired by the composition root."""

    read_side: ReadSide
    store: WebhookStore
    # Opens a sealed secret for its subscription (the platform secrets key).
    open_secret: Callable[[str, str], str]
    now: Callable[[], datetime]
    allow_local: bool = False
    timeout: float = 10.0

    def run(self) -> tuple[int, int, int]:
        """Both steps once; returns (queued, delivered, failed attempts)."""
        now = self.now()
        queued = take_in(self.read_side, self.store, now)
        delivered, failed = self.send()
        self.store.purge(now - KEPT)
        if queued or delivered or failed:
            logger.info(
                "webhooks.run queued=%s delivered=%s failed=%s",
                queued,
                delivered,
                failed,
            )
        return queued, delivered, failed

    def send(self) -> tuple[int, int]:
        """Send what is due, batch after batch within ``SEND_BUDGET``; returns
        (delivered, failed attempts)."""
        delivered = failed = 0
        started = monotonic()
        down: set[str] = set()  # addresses that failed this run: the rest waits
        while monotonic() - started < SEND_BUDGET:
            due = self.store.due(self.now(), SEND_BATCH)
            progressed = False
            secrets = self.store.sealed_secrets(d.subscription_id for d in due)
            urls = self.store.urls(d.subscription_id for d in due)
            for delivery in due:
                url, paused = urls.get(delivery.subscription_id, ("", True))
                if paused or url in down:
                    continue
                now = self.now()
                if not self.store.claim(delivery.delivery_id, now=now):
                    continue  # another sender has it
                progressed = True
                outcome = self._attempt(delivery, url, secrets, now)
                self.store.mark(
                    delivery,
                    now=self.now(),
                    status=outcome.status,
                    answer=outcome.answer,
                    delivered=outcome.delivered,
                    retry=outcome.retry,
                )
                if outcome.delivered:
                    delivered += 1
                    continue
                failed += 1
                down.add(url)
                logger.warning(
                    "webhooks.failed delivery=%s attempts=%s status=%s answer=%s",
                    delivery.delivery_id,
                    delivery.attempts + 1,
                    outcome.status,
                    outcome.answer[:120],
                )
            if not progressed:
                break
        return delivered, failed

    def _attempt(
        self, delivery: Delivery, url: str, secrets: dict[str, str], now: datetime
    ) -> Outcome:
        try:
            secret = self.open_secret(
                secrets[delivery.subscription_id], delivery.subscription_id
            )
        except Exception as error:  # an unreadable secret fails this delivery only
            logger.exception("webhooks.secret_unreadable %s", delivery.delivery_id)
            return Outcome(None, f"secret unreadable: {type(error).__name__}")
        return post(
            Attempt(
                url=url,
                body=delivery.body.encode("utf-8"),
                secret=secret,
                timestamp=int(now.timestamp()),
                delivery_id=delivery.delivery_id,
                position=delivery.position,
                kind=delivery.kind,
            ),
            allow_local=self.allow_local,
            timeout=self.timeout,
        )
