"""Serving an app with uvicorn in its own process, logging in, and driving the
load generator (another process) against it, all on loopback."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

HOST = "127.0.0.1"
UVICORN_OPTIONS = (
    "--no-access-log",
    "--log-level",
    "warning",
    "--timeout-keep-alive",
    "30",
)
"""The same for the application and the bare endpoint: one process, no access log."""
CSRF = re.compile(
    r'name="csrf-token" content="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(app: str, env: dict[str, str], *, wait: float = 120.0) -> Iterator[int]:
    """Serve ``module:factory`` with uvicorn in a child process; yields its port."""
    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed below
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--factory",
            "--host",
            HOST,
            "--port",
            str(port),
            *UVICORN_OPTIONS,
        ],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + wait
        while True:
            if process.poll() is not None:
                log.seek(0)
                error = log.read().decode("utf-8", "replace")
                raise RuntimeError(f"the server stopped: {error[-2000:]}")
            try:
                with socket.create_connection((HOST, port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start in time") from None
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@dataclass(frozen=True)
class Session:
    """A logged-in browser: its cookie header and CSRF token."""

    cookie: str
    csrf_token: str


def _request(
    port: int, method: str, path: str, headers: dict[str, str], body: str = ""
) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        if body:
            headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        cookies = [v for k, v in response.getheaders() if k.lower() == "set-cookie"]
        found = {c.split("=", 1)[0]: c.split(";", 1)[0] for c in cookies}
        return response.status, found, text
    finally:
        connection.close()


def _csrf(text: str) -> str:
    match = CSRF.search(text)
    if match is None:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1) or match.group(2)


def log_in(port: int, email: str, password: str, page: str) -> Session:
    """Log in through the login form; returns the session and a CSRF token from
    ``page`` (read as the logged-in person)."""
    _status, cookies, text = _request(port, "GET", "/login", {})
    cookie = "; ".join(cookies.values())
    form = urlencode(
        {"email": email, "password": password, "next": "/", "csrf_token": _csrf(text)}
    )
    status, cookies, _text = _request(port, "POST", "/login", {"Cookie": cookie}, form)
    if status != 303 or not cookies:
        raise RuntimeError(f"login failed with HTTP {status}")
    cookie = "; ".join(cookies.values())
    status, _cookies, text = _request(port, "GET", page, {"Cookie": cookie})
    if status != 200:
        raise RuntimeError(f"{page} answered HTTP {status} after login")
    return Session(cookie, _csrf(text))


def get(port: int, path: str, session: Session | None) -> tuple[int, str]:
    """One GET (to check a page before loading it)."""
    headers = {"Cookie": session.cookie} if session else {}
    status, _cookies, text = _request(port, "GET", path, headers)
    return status, text


def load(
    port: int,
    paths: list[str],
    *,
    count: int,
    seconds: float,
    concurrency: int,
    session: Session | None = None,
    method: str = "GET",
    bodies: list[str] | None = None,
) -> dict[str, Any]:
    """Run the load generator in its own process; returns its JSON answer."""
    headers = {"Cookie": session.cookie} if session else {}
    spec = {
        "host": HOST,
        "port": port,
        "paths": paths,
        "count": count,
        "seconds": seconds,
        "concurrency": concurrency,
        "headers": headers,
        "method": method,
        "bodies": bodies or [],
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "web.bench.loadgen", json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=True,
    )
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer
