"""The app tables as the last release without migrations made them

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-05 00:14:52.817910

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """The app tables, those missing only: a store made before migrations has
    them all, or those of its own release (older releases created what they knew)."""
    existing = set(sa.inspect(op.get_bind()).get_table_names())

    def missing(name: str) -> bool:
        return name not in existing

    if missing("accounts"):
        op.create_table(
            "accounts",
            sa.Column("account_id", sa.String(length=36), nullable=False),
            sa.Column("email", sa.String(length=254), nullable=False),
            sa.Column("display_name", sa.Text(), nullable=False),
            sa.Column("password_hash", sa.Text(), nullable=False),
            sa.Column("is_admin", sa.Boolean(), nullable=False),
            sa.Column("disabled", sa.Boolean(), nullable=False),
            sa.Column(
                "sessions_valid_after", sa.DateTime(timezone=True), nullable=False
            ),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("account_id"),
            sa.UniqueConstraint("email"),
        )

    if missing("calendar_feeds"):
        op.create_table(
            "calendar_feeds",
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            sa.Column("account_id", sa.String(length=36), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("token_hash"),
            sa.UniqueConstraint("account_id"),
        )

    if missing("erased_accounts"):
        op.create_table(
            "erased_accounts",
            sa.Column("account_id", sa.String(length=36), nullable=False),
            sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("account_id"),
        )

    if missing("invitation_tokens"):
        op.create_table(
            "invitation_tokens",
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            sa.Column("invitation_id", sa.String(length=36), nullable=False),
            sa.Column("consortium_id", sa.String(length=36), nullable=False),
            sa.Column("email", sa.String(length=254), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("token_hash"),
            sa.UniqueConstraint("invitation_id"),
        )

    if missing("password_resets"):
        op.create_table(
            "password_resets",
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            sa.Column("account_id", sa.String(length=36), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("token_hash"),
        )
        with op.batch_alter_table("password_resets", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_password_resets_account_id"),
                ["account_id"],
                unique=False,
            )

    if missing("pending_logins"):
        op.create_table(
            "pending_logins",
            sa.Column("session_hash", sa.String(length=64), nullable=False),
            sa.Column("account_id", sa.String(length=36), nullable=False),
            sa.Column("next_path", sa.Text(), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("session_hash"),
        )
        with op.batch_alter_table("pending_logins", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_pending_logins_account_id"), ["account_id"], unique=False
            )

    if missing("preferences"):
        op.create_table(
            "preferences",
            sa.Column("account_id", sa.String(length=36), nullable=False),
            sa.Column("language", sa.String(length=8), nullable=True),
            sa.Column("delivery", sa.String(length=16), nullable=False),
            sa.Column(
                "notifications_seen_at", sa.DateTime(timezone=True), nullable=True
            ),
            sa.PrimaryKeyConstraint("account_id"),
        )

    if missing("recovery_codes"):
        op.create_table(
            "recovery_codes",
            sa.Column("code_hash", sa.String(length=64), nullable=False),
            sa.Column("account_id", sa.String(length=36), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("code_hash"),
        )
        with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_recovery_codes_account_id"), ["account_id"], unique=False
            )

    if missing("sessions"):
        op.create_table(
            "sessions",
            sa.Column("session_hash", sa.String(length=64), nullable=False),
            sa.Column("account_id", sa.String(length=36), nullable=True),
            sa.Column("csrf_token", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("session_hash"),
        )

    if missing("totp_factors"):
        op.create_table(
            "totp_factors",
            sa.Column("account_id", sa.String(length=36), nullable=False),
            sa.Column("sealed_secret", sa.Text(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("enabled_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("last_step", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("account_id"),
        )

    if missing("throttle_attempts"):
        op.create_table(
            "throttle_attempts",
            sa.Column("attempt_id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("bucket", sa.String(length=100), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("attempt_id"),
        )
        with op.batch_alter_table("throttle_attempts", schema=None) as batch_op:
            batch_op.create_index(
                "throttle_attempts_bucket_at", ["bucket", "at"], unique=False
            )

    if missing("job_runs"):
        op.create_table(
            "job_runs",
            sa.Column("name", sa.String(length=64), nullable=False),
            sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("ok", sa.Boolean(), nullable=False),
            sa.Column("summary", sa.Text(), nullable=False),
            sa.Column("error", sa.Text(), nullable=True),
            sa.Column("last_ok_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("name"),
        )

    if missing("leases"):
        op.create_table(
            "leases",
            sa.Column("name", sa.String(length=64), nullable=False),
            sa.Column("holder", sa.String(length=128), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("name"),
        )

    if missing("mail_outbox"):
        op.create_table(
            "mail_outbox",
            sa.Column("message_id", sa.String(length=200), nullable=False),
            sa.Column("recipient", sa.String(length=254), nullable=False),
            sa.Column("subject", sa.Text(), nullable=False),
            sa.Column("text_body", sa.Text(), nullable=False),
            sa.Column("html_body", sa.Text(), nullable=True),
            sa.Column("language", sa.String(length=8), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("last_error", sa.Text(), nullable=True),
            sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("failed", sa.Boolean(), nullable=False),
            sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("message_id"),
        )
        with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_mail_outbox_next_try_at"), ["next_try_at"], unique=False
            )
            batch_op.create_index(
                batch_op.f("ix_mail_outbox_sent_at"), ["sent_at"], unique=False
            )

    if missing("mail_outbox_reminders"):
        op.create_table(
            "mail_outbox_reminders",
            sa.Column("reminder_id", sa.String(length=36), nullable=False),
            sa.Column("message_id", sa.String(length=200), nullable=False),
            sa.PrimaryKeyConstraint("reminder_id"),
        )
        with op.batch_alter_table("mail_outbox_reminders", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_mail_outbox_reminders_message_id"),
                ["message_id"],
                unique=False,
            )

    if missing("request_keys"):
        op.create_table(
            "request_keys",
            sa.Column("key_hash", sa.String(length=64), nullable=False),
            sa.Column("use_case", sa.String(length=32), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("result", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("key_hash"),
        )
        with op.batch_alter_table("request_keys", schema=None) as batch_op:
            batch_op.create_index(
                batch_op.f("ix_request_keys_created_at"), ["created_at"], unique=False
            )

    if missing("audit_verification_gates"):
        op.create_table(
            "audit_verification_gates",
            sa.Column("consortium_id", sa.String(length=36), nullable=False),
            sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("open_request", sa.String(length=36), nullable=True),
            sa.PrimaryKeyConstraint("consortium_id"),
        )

    if missing("audit_verifications"):
        op.create_table(
            "audit_verifications",
            sa.Column("request_id", sa.String(length=36), nullable=False),
            sa.Column("consortium_id", sa.String(length=36), nullable=False),
            sa.Column("requested_by", sa.String(length=64), nullable=False),
            sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("state", sa.String(length=16), nullable=False),
            sa.Column("claimed_by", sa.String(length=200), nullable=True),
            sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("report", sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint("request_id"),
        )
        with op.batch_alter_table("audit_verifications", schema=None) as batch_op:
            batch_op.create_index(
                "audit_verifications_by_consortium",
                ["consortium_id", "requested_at"],
                unique=False,
            )
            batch_op.create_index(
                "audit_verifications_by_state", ["state", "requested_at"], unique=False
            )


def downgrade() -> None:
    """Drop the app tables."""

    with op.batch_alter_table("audit_verifications", schema=None) as batch_op:
        batch_op.drop_index("audit_verifications_by_state")
        batch_op.drop_index("audit_verifications_by_consortium")

    op.drop_table("audit_verifications")
    op.drop_table("audit_verification_gates")
    with op.batch_alter_table("request_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_keys_created_at"))

    op.drop_table("request_keys")
    with op.batch_alter_table("mail_outbox_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_outbox_reminders_message_id"))

    op.drop_table("mail_outbox_reminders")
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_outbox_sent_at"))
        batch_op.drop_index(batch_op.f("ix_mail_outbox_next_try_at"))

    op.drop_table("mail_outbox")
    op.drop_table("leases")
    op.drop_table("job_runs")
    with op.batch_alter_table("throttle_attempts", schema=None) as batch_op:
        batch_op.drop_index("throttle_attempts_bucket_at")

    op.drop_table("throttle_attempts")
    op.drop_table("totp_factors")
    op.drop_table("sessions")
    with op.batch_alter_table("recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recovery_codes_account_id"))

    op.drop_table("recovery_codes")
    op.drop_table("preferences")
    with op.batch_alter_table("pending_logins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_logins_account_id"))

    op.drop_table("pending_logins")
    with op.batch_alter_table("password_resets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_resets_account_id"))

    op.drop_table("password_resets")
    op.drop_table("invitation_tokens")
    op.drop_table("erased_accounts")
    op.drop_table("calendar_feeds")
    op.drop_table("accounts")
