"""The outbox's retries: the delay doubles from a minute and stays at half an hour,
however long the SMTP server stays down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine

from notifications.outbox import MAX_RETRY, Message, Outbox, backoff

T0 = datetime(2026, 9, 23, 7, 0, tzinfo=UTC)


def test_the_delay_after_a_failure_doubles_from_a_minute_up_to_half_an_hour() -> None:
    delays = [backoff(attempts) for attempts in range(1, 9)]

    assert delays == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 30, 30, 30)]


def test_a_message_failing_for_days_is_still_retried_every_half_hour(
    tmp_path: Path,
) -> None:
    # An SMTP server down for two days: 96 failed attempts of the same message.
    engine = create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    outbox = Outbox(engine)
    outbox.create_tables()
    message = Message("<m.1@ledger.example>", "a@example.org", "S", "T", None, "fr")
    outbox.put(message, now=T0)
    now = T0
    for _ in range(96):
        assert len(outbox.due(now)) == 1
        assert outbox.claim(message.message_id, now=now)
        outbox.mark_failed(message.message_id, "421 Service not available", now=now)
        (waiting,) = outbox.messages(sent=False)
        now = waiting.next_try_at

    (row,) = outbox.messages(sent=False)
    engine.dispose()
    assert row.attempts == 96
    assert row.next_try_at - row.created_at == timedelta(minutes=31 + 30 * 91)
    assert outbox.due(row.next_try_at - timedelta(seconds=1)) == []
    assert backoff(row.attempts) == MAX_RETRY
    assert not row.failed
