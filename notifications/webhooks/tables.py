"""The webhooks' app tables: subscriptions, their deliveries, the intake position.

They live with the accounts and the mail outbox (``app.db`` on SQLite), not with
the read models: a rebuild of the projections must neither lose a delivery nor
send one twice.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from projections.base import UtcDateTime

metadata = MetaData()

subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("subscription_id", String(36), primary_key=True),
    # "consortium": a coordinator's, for one consortium (``owner_id`` is its id);
    # "portfolio": a financer's, for every consortium they fund (their account).
    Column("scope", String(16), nullable=False),
    Column("owner_id", String(64), nullable=False),
    Column("url", Text, nullable=False),
    # The event kinds (history kinds), space-separated; "all" for every kind.
    Column("kinds", Text, nullable=False),
    # The signing secret, sealed with the platform secrets key (it must be read
    # back to sign, so it cannot be kept as a digest).
    Column("secret_sealed", Text, nullable=False),
    Column("paused", Boolean, nullable=False, default=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("secret_rotated_at", UtcDateTime),
    Index("webhook_subscriptions_by_owner", "scope", "owner_id"),
)

deliveries = Table(
    "webhook_deliveries",
    metadata,
    # "<subscription id>:<log position>": the same event to the same subscription
    # is one delivery, however often it is taken in.
    Column("delivery_id", String(80), primary_key=True),
    Column("subscription_id", String(36), nullable=False),
    Column("position", Integer, nullable=False),
    Column("consortium_id", String(36), nullable=False),
    Column("kind", String(48), nullable=False),
    # The JSON body, fixed when taken in: every attempt sends the same bytes.
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_try_at", UtcDateTime, nullable=False),
    Column("last_status", Integer),
    Column("last_answer", Text),
    Column("last_try_at", UtcDateTime),
    Column("delivered_at", UtcDateTime),
    Column("failed", Boolean, nullable=False, default=False),
    UniqueConstraint("subscription_id", "position", name="webhook_delivery_once"),
    Index("webhook_deliveries_due", "delivered_at", "failed", "next_try_at"),
    Index("webhook_deliveries_of", "subscription_id", "position"),
)

intake = Table(
    "webhook_intake",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("position", Integer, nullable=False),
)
