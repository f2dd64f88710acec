"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives.

Faults are switched on by the test: answer 421 to every message (the server is
overloaded), or stop listening altogether (connections refused), then recover.
"""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Sink:
    """The aiosmtpd handler: accepts (or refuses) and stores each message."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.refusing: str | None = None
        self.refused = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusing is not None:
            with self._lock:
                self.refused += 1
            return self.refusing
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.received.append(message)
        return "250 OK"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [str(m["Message-ID"]) for m in self.received]


class SmtpServer:
    """An SMTP server that can be stopped and started again on the same port."""

    def __init__(self) -> None:
        self.sink = Sink()
        self.port = free_port()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[EmailMessage]:
        return list(self.sink.received)
