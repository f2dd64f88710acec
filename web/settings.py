"""Settings read once from the environment, frozen.

``CONSORTIUM_DATA_DIR`` (default ``./var``) holds the SQLite files and the secret key;
``CONSORTIUM_DATABASE_URL`` (``postgresql://…``) moves every store to PostgreSQL;
``CONSORTIUM_AUDIT_KEY_FILE`` names the checkpoint signing key (default: in the data
directory).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """How this process runs."""

    data_dir: Path = Path("var")
    database_url: str | None = None
    secret_key: str = field(default="", repr=False)
    invitation_days: int = 14
    session_hours: int = 12
    base_url: str = "http://127.0.0.1:8000"
    # Argon2id cost; the defaults are argon2-cffi's (RFC 9106 low-memory profile).
    # The periodic jobs (closing votes at their deadline…): in `serve` on SQLite, in
    # `worker` on PostgreSQL. Tests switch it off and tick by hand.
    scheduler: bool = True
    password_time_cost: int = 3
    password_memory_kib: int = 65536
    # The platform's Ed25519 key that signs audit checkpoints (default: in data_dir).
    audit_key_file: Path | None = None

    @property
    def uses_postgres(self) -> bool:
        return bool(self.database_url)

    @property
    def audit_key_path(self) -> Path:
        """Where the checkpoint signing key is kept."""
        return self.audit_key_file or self.data_dir / "audit_signing_key.pem"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from ``CONSORTIUM_*`` variables."""
        env = dict(os.environ if environ is None else environ)
        data_dir = Path(env.get("CONSORTIUM_DATA_DIR", "var"))
        return cls(
            data_dir=data_dir,
            database_url=env.get("CONSORTIUM_DATABASE_URL") or None,
            secret_key=env.get("CONSORTIUM_SECRET_KEY", ""),
            base_url=env.get("CONSORTIUM_BASE_URL", "http://127.0.0.1:8000"),
            audit_key_file=Path(env["CONSORTIUM_AUDIT_KEY_FILE"])
            if env.get("CONSORTIUM_AUDIT_KEY_FILE")
            else None,
        )

    def with_secret(self) -> Settings:
        """These settings with a secret key: given, or kept in the data directory."""
        if self.secret_key:
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return replace(self, secret_key=path.read_text().strip())
