"""The second factor: TOTP secrets (sealed), single-use recovery codes, and the
sealing of secrets a former version kept in clear.

A code is accepted once: right now (±30 s) and newer than the last one accepted
(``web/identity/totp.py``). Secrets are sealed with a key kept outside the database
(``web/identity/secret_box.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, func, insert, inspect, select, update

from web.identity import totp
from web.identity.secret_box import SecretBox, UnreadableSecret
from web.identity.tables import clear_second_factors, recovery_codes, totp_factors
from web.identity.transactions import write_rerunning_duplicates

logger = logging.getLogger(__name__)

# From this many recovery codes left (or fewer), the security pages warn.
FEW_RECOVERY_CODES = 3


@dataclass(frozen=True)
class SecondFactor:
    """A person's TOTP second factor (enabled once a first code was confirmed).

    ``secret`` is None when the stored secret does not open with the secrets key
    (the key file was lost or replaced): codes are then refused, recovery codes
    still work.
    """

    secret: str | None
    enabled: bool
    last_step: int


class SecondFactorStore:
    """The ``totp_factors`` and ``recovery_codes`` tables."""

    def __init__(
        self, engine: Engine, box: SecretBox, now: Callable[[], datetime]
    ) -> None:
        self.engine = engine
        # Seals TOTP secrets with a key kept outside the database.
        self.box = box
        # The accounts store's clock (tests move it by hand).
        self.now = now

    def second_factor(self, account_id: str) -> SecondFactor | None:
        """The account's TOTP secret and whether it is enabled, if any."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(totp_factors).where(totp_factors.c.account_id == account_id)
            ).first()
        if row is None:
            return None
        try:
            secret: str | None = self.box.open(row.sealed_secret, account_id)
        except UnreadableSecret:
            # Not a 500: the person can still log in with a recovery code.
            logger.error("two_factor.secret_unreadable account=%s", account_id)
            secret = None
        return SecondFactor(secret, row.enabled_at is not None, row.last_step)

    def has_second_factor(self, account_id: str) -> bool:
        """Whether login asks this account for a code after the password."""
        with self.engine.connect() as connection:
            return (
                connection.scalar(
                    select(totp_factors.c.enabled_at).where(
                        totp_factors.c.account_id == account_id
                    )
                )
                is not None
            )

    def start_second_factor(self, account_id: str) -> str:
        """A new secret awaiting its first code (replaces an unconfirmed one)."""
        secret = totp.new_secret()
        sealed = self.box.seal(secret, account_id)

        def write(connection: Connection) -> None:
            connection.execute(
                delete(totp_factors).where(
                    totp_factors.c.account_id == account_id,
                    totp_factors.c.enabled_at.is_(None),
                )
            )
            connection.execute(
                insert(totp_factors).values(
                    account_id=account_id,
                    sealed_secret=sealed,
                    created_at=self.now(),
                    enabled_at=None,
                    last_step=0,
                )
            )

        write_rerunning_duplicates(self.engine, write)
        return secret

    def use_code(self, account_id: str, code: str, *, enable: bool = False) -> bool:
        """Accept a TOTP code once: right now (±30 s) and newer than the last one.

        With ``enable``, a right code also switches the factor on (first code).
        """
        factor = self.second_factor(account_id)
        if factor is None or factor.secret is None or factor.enabled == enable:
            return False
        step = totp.matching_step(factor.secret, code, self.now())
        if step is None or step <= factor.last_step:
            return False
        values: dict[str, object] = {"last_step": step}
        if enable:
            values["enabled_at"] = self.now()
        with self.engine.begin() as connection:
            # Compare-and-set: two requests with the same code, only one wins.
            accepted = connection.execute(
                update(totp_factors)
                .where(
                    totp_factors.c.account_id == account_id,
                    totp_factors.c.last_step < step,
                )
                .values(**values)
            ).rowcount
        return accepted == 1

    def use_second_factor(self, account_id: str, text: str) -> str | None:
        """Accept what was typed at the second step: a TOTP code, or a recovery code
        (which is then spent). Returns ``"code"`` or ``"recovery"``, None if refused.

        Both go through the same call so that one throttle counts both.
        """
        if not self.has_second_factor(account_id):
            return None
        if totp.recovery_code_digest(text) is not None:
            return "recovery" if self.use_recovery_code(account_id, text) else None
        return "code" if self.use_code(account_id, text) else None

    def use_recovery_code(self, account_id: str, text: str) -> bool:
        """Spend one of the account's unused recovery codes; False if it is none."""
        code_hash = totp.recovery_code_digest(text)
        if code_hash is None:
            return False
        with self.engine.begin() as connection:
            # Compare-and-set: the same code sent twice at once is spent once.
            spent = connection.execute(
                update(recovery_codes)
                .where(
                    recovery_codes.c.code_hash == code_hash,
                    recovery_codes.c.account_id == account_id,
                    recovery_codes.c.used_at.is_(None),
                )
                .values(used_at=self.now())
            ).rowcount
        return spent == 1

    def new_recovery_codes(self, account_id: str) -> list[str]:
        """Ten fresh recovery codes (returned once, stored hashed); the account's
        former codes, used or not, stop working."""
        codes = totp.new_recovery_codes()
        now = self.now()
        with self.engine.begin() as connection:
            connection.execute(
                delete(recovery_codes).where(recovery_codes.c.account_id == account_id)
            )
            connection.execute(
                insert(recovery_codes),
                [
                    {
                        "code_hash": totp.recovery_code_digest(code),
                        "account_id": account_id,
                        "created_at": now,
                        "used_at": None,
                    }
                    for code in codes
                ],
            )
        return codes

    def recovery_codes_left(self, account_id: str) -> int:
        """How many of the account's recovery codes are still unused."""
        with self.engine.connect() as connection:
            return int(
                connection.scalar(
                    select(func.count())
                    .select_from(recovery_codes)
                    .where(
                        recovery_codes.c.account_id == account_id,
                        recovery_codes.c.used_at.is_(None),
                    )
                )
                or 0
            )

    def remove_second_factor(self, account_id: str) -> None:
        """Switch the second factor off (forgetting its secret and recovery codes)."""
        with self.engine.begin() as connection:
            connection.execute(
                delete(totp_factors).where(totp_factors.c.account_id == account_id)
            )
            connection.execute(
                delete(recovery_codes).where(recovery_codes.c.account_id == account_id)
            )


def seal_clear_secrets(engine: Engine, box: SecretBox) -> int:
    """Move TOTP secrets kept in clear (the former ``second_factors`` table) into
    ``totp_factors``, sealed, then drop the old table. Returns how many moved.

    Idempotent: without the old table it does nothing. On PostgreSQL the caller
    holds the table-creation lock, so two processes never move the same rows.
    """
    if not inspect(engine).has_table(clear_second_factors.name):
        return 0
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            # Overwrite the deleted rows' bytes instead of leaving them in free pages.
            connection.exec_driver_sql("PRAGMA secure_delete = ON")
        rows = connection.execute(select(clear_second_factors)).all()
        present = set(connection.scalars(select(totp_factors.c.account_id)))
        moved = [
            {
                "account_id": row.account_id,
                "sealed_secret": box.seal(row.secret, row.account_id),
                "created_at": row.created_at,
                "enabled_at": row.enabled_at,
                "last_step": row.last_step,
            }
            for row in rows
            if row.account_id not in present
        ]
        if moved:
            connection.execute(insert(totp_factors), moved)
        connection.execute(delete(clear_second_factors))
        clear_second_factors.drop(connection)
    logger.info("two_factor.secrets_sealed count=%d", len(moved))
    return len(moved)
