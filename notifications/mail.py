"""Sending e-mail: over real SMTP, or into a local mailbox file when none is set.

``SmtpTransport`` uses the standard library's ``smtplib`` (STARTTLS, implicit TLS or
plain, optional login). A 4xx answer or a connection problem is temporary (the
message is retried with backoff); a 5xx answer is permanent. ``MailboxTransport``
appends to an mbox file, so ``make run`` needs no mail server and the messages can
still be read.
"""

from __future__ import annotations

import mailbox
import smtplib
import ssl
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol

from notifications.outbox import Message

SMTP_POLICY = policy.SMTP.clone(max_line_length=998)


class SendFailed(Exception):
    """Raised when a message could not be sent; ``permanent`` if retrying is futile."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send e-mail (from ``CONSORTIUM_SMTP_*``)."""

    host: str
    port: int = 587
    security: str = "starttls"  # "starttls", "tls" or "none"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0


class Transport(Protocol):
    """Anything that can deliver an e-mail message."""

    def send(self, message: EmailMessage) -> None: ...

    def describe(self) -> str: ...


def batch(transport: Transport) -> AbstractContextManager[object]:
    """Keep one connection open for several messages, when the transport can."""
    opener = getattr(transport, "batch", None)
    return opener() if opener is not None else nullcontext()


def build_email(message: Message, *, sender: str, now: datetime) -> EmailMessage:
    """The MIME message: text, and HTML as the alternative when there is one.

    ``email.policy.default`` refuses header values with line breaks, so a name such
    as ``"Acme\\r\\nBcc: x"`` cannot add a header; the subject is flattened first.
    """
    # Long headers stay on one line (up to SMTP's 998): a folded Message-ID comes
    # back with a leading space from some parsers, and clients then miss duplicates.
    email = EmailMessage(policy=SMTP_POLICY)
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = " ".join(message.subject.split())
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(now)
    email["Auto-Submitted"] = "auto-generated"
    email["Content-Language"] = message.language
    email.set_content(message.text_body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    return email


class SmtpTransport:
    """Delivers through an SMTP server, one connection per batch of messages."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._client: smtplib.SMTP | None = None

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Send the messages of this block over one connection (opened lazily)."""
        try:
            yield
        finally:
            self._drop()

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with suppress(OSError, smtplib.SMTPException):
                client.quit()
            with suppress(OSError):
                client.close()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        client: smtplib.SMTP
        if s.security == "tls":
            client = smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            if s.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if s.username:
                client.login(s.username, s.password or "")
        except BaseException:
            client.close()
            raise
        return client

    def describe(self) -> str:
        return (
            f"SMTP {self.settings.host}:{self.settings.port} ({self.settings.security})"
        )

    def send(self, message: EmailMessage) -> None:
        try:
            if self._client is None:
                self._client = self._connect()
            self._client.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            self._drop()
            codes = [code for code, _ in error.recipients.values()]
            raise SendFailed(
                f"recipient refused: {error.recipients}",
                permanent=all(code >= 500 for code in codes),
            ) from error
        except smtplib.SMTPResponseException as error:
            self._drop()
            reason = f"{error.smtp_code} {error.smtp_error!r}"
            raise SendFailed(reason, permanent=error.smtp_code >= 500) from error
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            raise SendFailed(f"{type(error).__name__}: {error}") from error


class MailboxTransport:
    """Appends every message to a local mbox file (when no SMTP server is set)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def describe(self) -> str:
        return f"mailbox file {self.path}"

    def send(self, message: EmailMessage) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            box = mailbox.mbox(self.path)
            try:
                box.lock()
                box.add(message)
                box.flush()
            finally:
                box.unlock()
                box.close()
