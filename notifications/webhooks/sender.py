"""One HTTP call per attempt, with the standard library: ``http.client``, a
timeout, no redirect followed, to the address ``addresses.resolve`` checked.

What the answer means for the delivery (``Outcome``): 2xx delivered; a network
error, a timeout, 5xx, 408 or 429 retried with backoff; anything else (a 4xx, a
redirect) refused, final after a few tries.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass

from notifications.webhooks.addresses import AddressRefused, Target, resolve
from notifications.webhooks.signing import (
    DELIVERY_HEADER,
    KIND_HEADER,
    POSITION_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
)

TIMEOUT_SECONDS = 10.0
ANSWER_BYTES = 1024
USER_AGENT = "ConsortiumLedger-Webhooks/1"
RETRIED_STATUSES = frozenset({408, 429})


@dataclass(frozen=True)
class Outcome:
    """What one attempt gave: the status (None: no answer) and a short answer."""

    status: int | None
    answer: str
    # The address was refused before any call (it resolves to a private one now):
    # as final as a refusal by the receiver.
    refused: bool = False

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retry(self) -> bool:
        """Worth retrying for long: the receiver is down or busy, not refusing."""
        if self.refused:
            return False
        return (
            self.status is None or self.status >= 500 or self.status in RETRIED_STATUSES
        )


@dataclass(frozen=True)
class Attempt:
    """What to send: the address, the body, the headers' values."""

    url: str
    body: bytes
    secret: str
    timestamp: int
    delivery_id: str
    position: int
    kind: str

    def headers(self, host: str) -> dict[str, str]:
        return {
            "Host": host,
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            TIMESTAMP_HEADER: str(self.timestamp),
            SIGNATURE_HEADER: signature(self.secret, self.timestamp, self.body),
            DELIVERY_HEADER: self.delivery_id,
            POSITION_HEADER: str(self.position),
            KIND_HEADER: self.kind,
        }


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to the address checked, the certificate checked for the host name."""

    def __init__(self, target: Target, address: str, timeout: float) -> None:
        super().__init__(
            target.host,
            target.port,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(  # type: ignore[attr-defined]
            sock, server_hostname=self.host
        )


def _short(data: bytes) -> str:
    """The answer's first characters, printable, on one line."""
    text = data.decode("utf-8", errors="replace")
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def post(
    attempt: Attempt, *, allow_local: bool = False, timeout: float = TIMEOUT_SECONDS
) -> Outcome:
    """POST one delivery; never raises for what the network or receiver does."""
    try:
        target = resolve(attempt.url, allow_local=allow_local)
    except AddressRefused as refused:
        return Outcome(None, f"refused address: {refused.code}", refused=True)
    except OSError as error:
        return Outcome(None, f"address not found: {error}")
    connection = _connected(target, timeout)
    if isinstance(connection, Outcome):
        return connection
    try:
        connection.request(
            "POST",
            target.path,
            body=attempt.body,
            headers=attempt.headers(target.host_header),
        )
        response = connection.getresponse()
        answer = _short(response.read(ANSWER_BYTES))
        return Outcome(response.status, answer)
    except (OSError, http.client.HTTPException) as error:
        return Outcome(None, f"{type(error).__name__}: {error}")
    finally:
        connection.close()


def _connected(target: Target, timeout: float) -> http.client.HTTPConnection | Outcome:
    """A connection to the first of the target's addresses that answers (a name
    with an IPv6 and an IPv4 address may listen on one only); nothing is sent
    before it is open, so trying the next address never sends twice."""
    failure = Outcome(None, "no address")
    for address in target.addresses:
        connection: http.client.HTTPConnection
        if target.scheme == "https":
            connection = _PinnedHTTPS(target, address, timeout)
        else:
            connection = http.client.HTTPConnection(
                address, target.port, timeout=timeout
            )
        try:
            connection.connect()
        except OSError as error:
            connection.close()
            failure = Outcome(None, f"{type(error).__name__}: {error}")
            continue
        return connection
    return failure
