"""Notices: one person told of one step, their read marks, the intake position

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 01:04:29.387367

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """The notices' three tables."""

    op.create_table(
        "notice_intake",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "notices",
        sa.Column("notice_id", sa.String(length=36), nullable=False),
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("consortium_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("message_id", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("notice_id"),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(
            "notices_by_account", ["account_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "notices_waiting", ["channel", "created_at"], unique=False
        )

    op.create_table(
        "notification_reads",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "item_id"),
    )


def downgrade() -> None:
    """Drop them."""

    op.drop_table("notification_reads")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index("notices_waiting")
        batch_op.drop_index("notices_by_account")

    op.drop_table("notices")
    op.drop_table("notice_intake")
