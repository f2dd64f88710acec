"""A real HTTP receiver of webhooks on 127.0.0.1: ``http.server`` in a thread.

It records each request (headers and raw body), checks its signature with the
secret it is given, and answers what the test sets (200 by default, or any status);
``stop`` closes the port (a receiver down), ``start`` opens the same port again.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from notifications.webhooks.signing import verify


@dataclass(frozen=True)
class Received:
    """One request as the receiver got it."""

    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        return dict(json.loads(self.body))

    @property
    def position(self) -> int:
        return int(self.headers["X-Consortium-Position"])


@dataclass
class Receiver:
    """The receiver's state, shared with its handler thread."""

    secret: str = ""
    status: int = 200
    received: list[Received] = field(default_factory=list)
    bad_signatures: int = 0
    hits: int = 0  # every request, whatever it was answered
    port: int = 0
    # The receiver's clock, against which timestamps are checked (the sender's, when
    # a test moves time by hand).
    now: Callable[[], float] = time.time
    # Seconds taken after recording a request and before answering it (a slow
    # receiver: a sender killed meanwhile never sees the answer).
    delay: float = 0.0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = dict(self.headers.items())
                signed = verify(
                    receiver.secret,
                    headers.get("X-Consortium-Timestamp", ""),
                    body,
                    headers.get("X-Consortium-Signature", ""),
                    now=receiver.now(),
                )
                with receiver._lock:
                    receiver.hits += 1
                    status = receiver.status
                    if status == 200:
                        if signed:
                            receiver.received.append(Received(self.path, headers, body))
                        else:
                            receiver.bad_signatures += 1
                            status = 401
                if receiver.delay:
                    time.sleep(receiver.delay)
                answer = b"ok" if status == 200 else b"busy\nnot now"
                try:
                    self.send_response(status)
                    if 300 <= status < 400:
                        self.send_header("Location", receiver.url + "/moved")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # the sender is gone (killed): it never sees the answer

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def positions(self) -> list[int]:
        with self._lock:
            return [r.position for r in self.received]
