"""Settings read once from the environment, frozen.

``CONSORTIUM_DATA_DIR`` (default ``./var``) holds the SQLite files and the secret key;
``CONSORTIUM_DATABASE_URL`` (``postgresql://…``) moves every store to PostgreSQL;
``CONSORTIUM_AUDIT_KEY_FILE`` names the checkpoint signing key and
``CONSORTIUM_SECRETS_KEY_FILE`` the key that seals TOTP secrets (both default to files
in the data directory); ``CONSORTIUM_TRUSTED_PROXIES`` names the proxies whose
``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed (none by default);
``CONSORTIUM_BASE_URL`` is the public address links are made from (unset: each page
takes it from its request, see ``web.routes.public_address``).

``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed (none by default).
``CONSORTIUM_FILE_STORE`` (``local`` or ``database``) says where attached files are
kept (default: the database on PostgreSQL, the data directory on SQLite);
``CONSORTIUM_POOL_SIZE`` and ``CONSORTIUM_POOL_OVERFLOW`` size each PostgreSQL
connection pool of a process and ``CONSORTIUM_SESSION_HOURS`` a login's lifetime
(``docs/operations.md``, the connection budget).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from notifications.mail import SmtpSettings

SMTP_SECURITY = ("starttls", "tls", "none")
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
"""The address links fall back to when ``CONSORTIUM_BASE_URL`` is unset and there is
no request to take it from (the worker's e-mails, password resets)."""

FILE_STORES = ("local", "database")


@dataclass(frozen=True)
class Settings:
    """How this process runs."""

    data_dir: Path = Path("var")
    database_url: str | None = None
    secret_key: str = field(default="", repr=False)
    invitation_days: int = 14
    session_hours: int = 12
    # The public address (``CONSORTIUM_BASE_URL``); "" when unset: see link_base_url.
    base_url: str = ""
    # Argon2id cost; the defaults are argon2-cffi's (RFC 9106 low-memory profile).
    # The periodic jobs (closing votes at their deadline…): in `serve` on SQLite, in
    # `worker` on PostgreSQL. Tests switch it off and tick by hand.
    scheduler: bool = True
    tick_seconds: int = 60
    # On SQLite, `serve` applies new events to the read models in a background
    # thread (``web.ops.applier``); switched off, the next request of the person who
    # acted catches up (tests that decide when projections run).
    apply_in_background: bool = True
    password_time_cost: int = 3
    password_memory_kib: int = 65536
    # argon2 computations at once in a process (0: one per core,
    # ``web/identity/passwords.py``).
    password_checks: int = 0
    # Addresses or networks of the reverse proxies in front of `serve`, or ("*",):
    # only from these is X-Forwarded-For the client's address (the throttles key on
    # it). None by default: a header any client can send must not choose the key.
    trusted_proxies: tuple[str, ...] = ()
    # Outgoing e-mail: SMTP when CONSORTIUM_SMTP_HOST is set, else a mailbox file.
    smtp: SmtpSettings | None = None
    mail_from: str = ""
    # Log lines as text on stderr, or one JSON object per line on stdout.
    log_format: str = "text"
    # Where the footer's "source code" link points (AGPL §13); empty: the archive
    # this server makes of its own code.
    source_url: str = ""
    # Webhooks may call http://127.0.0.1 / localhost (tests, local development);
    # otherwise only https addresses that resolve to public ones.
    webhooks_allow_local: bool = False

    @property
    def link_base_url(self) -> str:
        """Where links made without a request point: the setting, else the default.

        E-mails the worker sends (reminders, digests) have no request to take an
        address from: in production, set ``CONSORTIUM_BASE_URL``.
        """
        return (self.base_url or DEFAULT_BASE_URL).rstrip("/")

    @property
    def mail_sender(self) -> str:
        """The From address of every e-mail."""
        if self.mail_from:
            return self.mail_from
        host = urlsplit(self.link_base_url).hostname or "localhost"
        return f"Consortium Ledger <no-reply@{host}>"

    # The platform's Ed25519 key that signs audit checkpoints (default: in data_dir).
    audit_key_file: Path | None = None

    # The AES key that seals TOTP secrets in the database (default: in data_dir).
    secrets_key_file: Path | None = None

    # Where attached files are kept: "local" (the data directory), "database", or
    # "" for the backend's default (the database on PostgreSQL: several hosts).
    file_store: str = ""
    # Each PostgreSQL pool of a process (the event store's, the tables'): kept
    # connections, and how many more a burst may open (docs/operations.md).
    pool_size: int = 5
    pool_overflow: int = 10
    # Calls each personal access token may make to the API per minute (429 past it).
    api_calls_per_minute: int = 600
    # Threads of a web process running requests' Python at once (pages, commands):
    # more only fight over the interpreter's lock, and measured slower in total
    # (docs/performance.md, "Threads per web process").
    web_threads: int = 2
    # Web processes ``consortium serve`` starts on its port: each runs its own
    # interpreter, so a machine's cores serve pages at once (one by default).
    web_processes: int = 1

    @property
    def uses_postgres(self) -> bool:
        return bool(self.database_url)

    @property
    def files_in_database(self) -> bool:
        """Whether attached files are kept in the database (not the data directory)."""
        if self.file_store:
            return self.file_store == "database"
        return self.uses_postgres

    @property
    def audit_key_path(self) -> Path:
        """Where the checkpoint signing key is kept."""
        return self.audit_key_file or self.data_dir / "audit_signing_key.pem"

    @property
    def secrets_key_path(self) -> Path:
        """Where the key sealing TOTP secrets is kept (never in the database)."""
        return self.secrets_key_file or self.data_dir / "secrets_key"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from ``CONSORTIUM_*`` variables."""
        env = dict(os.environ if environ is None else environ)
        data_dir = Path(env.get("CONSORTIUM_DATA_DIR", "var"))
        return cls(
            smtp=smtp_settings(env),
            tick_seconds=_positive(env, "CONSORTIUM_TICK_SECONDS", 60),
            password_checks=_positive(
                env, "CONSORTIUM_PASSWORD_CHECKS", 0, what="number"
            ),
            trusted_proxies=trusted_proxies(env.get("CONSORTIUM_TRUSTED_PROXIES", "")),
            session_hours=_positive(
                env, "CONSORTIUM_SESSION_HOURS", 12, what="number of hours"
            ),
            pool_size=_positive(env, "CONSORTIUM_POOL_SIZE", 5, what="number"),
            pool_overflow=_counted(env, "CONSORTIUM_POOL_OVERFLOW", 10),
            api_calls_per_minute=_positive(
                env, "CONSORTIUM_API_CALLS_PER_MINUTE", 600, what="number"
            ),
            web_threads=_positive(env, "CONSORTIUM_WEB_THREADS", 2, what="number"),
            web_processes=_web_processes(env),
            file_store=_file_store(env),
            mail_from=env.get("CONSORTIUM_SMTP_FROM", ""),
            log_format=log_format(env),
            source_url=env.get("CONSORTIUM_SOURCE_URL", "").strip(),
            webhooks_allow_local=env.get("CONSORTIUM_WEBHOOKS_ALLOW_LOCAL", "")
            .strip()
            .lower()
            in ("1", "true", "yes", "on"),
            data_dir=data_dir,
            database_url=env.get("CONSORTIUM_DATABASE_URL") or None,
            secret_key=env.get("CONSORTIUM_SECRET_KEY", ""),
            base_url=env.get("CONSORTIUM_BASE_URL", "").strip(),
            audit_key_file=Path(env["CONSORTIUM_AUDIT_KEY_FILE"])
            if env.get("CONSORTIUM_AUDIT_KEY_FILE")
            else None,
            secrets_key_file=Path(env["CONSORTIUM_SECRETS_KEY_FILE"])
            if env.get("CONSORTIUM_SECRETS_KEY_FILE")
            else None,
        )

    def with_secret(self) -> Settings:
        """These settings with a secret key: given, or kept in the data directory."""
        if self.secret_key:
            return self
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.data_dir / "secret_key"
        try:
            # Created 0600 from its first byte, and never written over.
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_urlsafe(48))
        return replace(self, secret_key=path.read_text().strip())


class SettingsError(ValueError):
    """Raised when an environment variable holds a value that cannot be used."""


def _positive(
    env: dict[str, str], name: str, default: int, *, what: str = "number of seconds"
) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise SettingsError(f"{name} must be a whole {what}, at least 1")
    return int(text)


MAX_WEB_PROCESSES = 64
"""As ``serve --workers`` allows: a typo of a few zeros must not start thousands."""


def _web_processes(env: dict[str, str]) -> int:
    count = _positive(env, "CONSORTIUM_WEB_PROCESSES", 1, what="number")
    if count > MAX_WEB_PROCESSES:
        raise SettingsError(
            f"CONSORTIUM_WEB_PROCESSES must be at most {MAX_WEB_PROCESSES}"
        )
    return count


def log_format(env: dict[str, str]) -> str:
    """``CONSORTIUM_LOG_FORMAT``: ``text`` (the default) or ``json``."""
    value = env.get("CONSORTIUM_LOG_FORMAT", "").strip().lower() or "text"
    if value not in ("text", "json"):
        raise SettingsError("CONSORTIUM_LOG_FORMAT must be text or json")
    return value


def _counted(env: dict[str, str], name: str, default: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit()):
        raise SettingsError(f"{name} must be a whole number, 0 or more")
    return int(text)


def _file_store(env: dict[str, str]) -> str:
    text = env.get("CONSORTIUM_FILE_STORE", "").strip().lower()
    if text and text not in FILE_STORES:
        raise SettingsError(
            f"CONSORTIUM_FILE_STORE must be one of {', '.join(FILE_STORES)}"
        )
    return text


def trusted_proxies(text: str) -> tuple[str, ...]:
    """Proxy addresses or networks, comma-separated (``*``: any); checked here so a
    typo stops the server instead of trusting nothing (or everything) silently."""
    items = tuple(item.strip() for item in text.split(",") if item.strip())
    if items == ("*",):
        return items
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SettingsError(
                f"CONSORTIUM_TRUSTED_PROXIES: {item!r} is not an IP address or "
                "network (write them comma-separated, or * for any)"
            ) from None
    return items


def smtp_settings(env: dict[str, str]) -> SmtpSettings | None:
    """SMTP settings from ``CONSORTIUM_SMTP_HOST``, ``_PORT``, ``_SECURITY``
    (starttls, tls or none), ``_USERNAME``, ``_PASSWORD`` and ``_FROM``."""
    host = env.get("CONSORTIUM_SMTP_HOST", "").strip()
    if not host:
        return None
    security = env.get("CONSORTIUM_SMTP_SECURITY", "starttls").strip().lower()
    if security not in SMTP_SECURITY:
        raise SettingsError(
            f"CONSORTIUM_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}"
        )
    default_port = {"starttls": 587, "tls": 465, "none": 25}[security]
    port_text = env.get("CONSORTIUM_SMTP_PORT", "").strip()
    try:
        port = int(port_text) if port_text else default_port
    except ValueError:
        raise SettingsError("CONSORTIUM_SMTP_PORT must be a number") from None
    if not 0 < port < 65536:
        raise SettingsError("CONSORTIUM_SMTP_PORT must be between 1 and 65535")
    return SmtpSettings(
        host=host,
        port=port,
        security=security,
        username=env.get("CONSORTIUM_SMTP_USERNAME") or None,
        password=env.get("CONSORTIUM_SMTP_PASSWORD") or None,
    )
