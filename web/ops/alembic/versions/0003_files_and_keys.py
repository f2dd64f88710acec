"""Files kept in the database, the platform keys' fingerprints

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 01:12:17.878051

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Their tables, those missing only: every PostgreSQL start records the keys'
    fingerprints before migrating (a host with other keys must be refused before
    anything uses them), so ``platform_keys`` may exist already."""
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "stored_files" not in existing:
        _files()
    if "platform_keys" not in existing:
        _keys()


def _files() -> None:
    op.create_table(
        "stored_files",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("saved_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "stored_file_chunks",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sha256"], ["stored_files.sha256"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("sha256", "seq"),
    )


def _keys() -> None:
    op.create_table(
        "platform_keys",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.Float(), nullable=False),
        sa.Column("recorded_by", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    """Drop them."""

    op.drop_table("platform_keys")
    op.drop_table("stored_file_chunks")
    op.drop_table("stored_files")
