"""Webhooks: subscriptions, their deliveries' outbox, the intake position

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-05 03:40:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Their tables, those missing only (as 0003: safe to run on a store where
    another release made some of them)."""
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "webhook_subscriptions" not in existing:
        _subscriptions()
    if "webhook_deliveries" not in existing:
        _deliveries()
    if "webhook_intake" not in existing:
        op.create_table(
            "webhook_intake",
            sa.Column("name", sa.String(length=32), nullable=False),
            sa.Column("position", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("name"),
        )


def _subscriptions() -> None:
    op.create_table(
        "webhook_subscriptions",
        sa.Column("subscription_id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("kinds", sa.Text(), nullable=False),
        sa.Column("secret_sealed", sa.Text(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("secret_rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("subscription_id"),
    )
    op.create_index(
        "webhook_subscriptions_by_owner",
        "webhook_subscriptions",
        ["scope", "owner_id"],
        unique=False,
    )


def _deliveries() -> None:
    op.create_table(
        "webhook_deliveries",
        sa.Column("delivery_id", sa.String(length=80), nullable=False),
        sa.Column("subscription_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("consortium_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_answer", sa.Text(), nullable=True),
        sa.Column("last_try_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("delivery_id"),
        sa.UniqueConstraint(
            "subscription_id", "position", name="webhook_delivery_once"
        ),
    )
    op.create_index(
        "webhook_deliveries_due",
        "webhook_deliveries",
        ["delivered_at", "failed", "next_try_at"],
        unique=False,
    )
    op.create_index(
        "webhook_deliveries_of",
        "webhook_deliveries",
        ["subscription_id", "position"],
        unique=False,
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("webhook_intake")
    op.drop_index("webhook_deliveries_of", table_name="webhook_deliveries")
    op.drop_index("webhook_deliveries_due", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_index("webhook_subscriptions_by_owner", table_name="webhook_subscriptions")
    op.drop_table("webhook_subscriptions")
