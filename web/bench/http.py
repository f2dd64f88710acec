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
from typing import IO, Any
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
def served(
    app: str,
    env: dict[str, str],
    *,
    wait: float = 120.0,
) -> Iterator[int]:
    """Serve ``module:factory`` with uvicorn in a child process; yields its port."""
    with served_many([(app, env)], wait=wait) as servers:
        yield servers[0][0]


@contextmanager
def served_many(
    apps: list[tuple[str, dict[str, str]]], *, wait: float = 120.0
) -> Iterator[list[tuple[int, int]]]:
    """Serve each ``(module:factory, environment)`` in a uvicorn process of its own,
    all started at once; yields each one's port and process id (to read its CPU
    time)."""
    started: list[tuple[int, subprocess.Popen[bytes], IO[bytes]]] = []
    try:
        for app, env in apps:
            port = free_port()
            log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed below
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
            started.append((port, process, log))
        deadline = time.monotonic() + wait
        for port, process, log in started:
            _wait_until_listening(port, process, log, deadline)
        yield [(port, process.pid) for port, process, _log in started]
    finally:
        for _port, process, _log in started:
            process.terminate()
        for _port, process, log in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def _wait_until_listening(
    port: int, process: subprocess.Popen[bytes], log: IO[bytes], deadline: float
) -> None:
    while True:
        if process.poll() is not None:
            log.seek(0)
            error = log.read().decode("utf-8", "replace")
            raise RuntimeError(f"the server stopped: {error[-2000:]}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start in time") from None
            time.sleep(0.1)


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


def etag(port: int, path: str, session: Session | None) -> str | None:
    """The tag a page answers with (``ETag``), if it answers conditional GETs."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        headers = {"Cookie": session.cookie} if session else {}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.getheader("ETag")
    finally:
        connection.close()


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
    follow: bool = False,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run the load generator in its own process; returns its JSON answer.

    ``follow``: a redirect is followed (the round trip includes the next page);
    ``headers`` are sent with every request (``HX-Request`` for htmx's path).
    """
    headers = {**(headers or {}), **({"Cookie": session.cookie} if session else {})}
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
        "follow": follow,
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


@dataclass(frozen=True)
class Target:
    """Where one connection of the load sends its requests, as whom."""

    port: int
    paths: list[str]
    session: Session | None = None
    bodies: list[str] | None = None

    def spec(self) -> dict[str, Any]:
        """The target as the load generator reads it."""
        found: dict[str, Any] = {"port": self.port, "paths": self.paths}
        found["headers"] = {"Cookie": self.session.cookie} if self.session else {}
        if self.bodies:
            found["bodies"] = self.bodies
        return found


def load_many(
    targets: list[Target],
    *,
    processes: int,
    count: int,
    seconds: float,
    concurrency: int,
    method: str = "GET",
) -> dict[str, Any]:
    """Run ``processes`` load generators at once, each with ``concurrency``
    connections; connection ``j`` of all of them talks to ``targets[j modulo their
    number]``. ``count`` is shared between them. Returns the merged answer (requests
    summed over the longest one's seconds, percentiles over every latency, the load
    generators' CPU seconds)."""
    specs = []
    for index in range(processes):
        # Connection j of generator i is connection i * concurrency + j overall.
        offset = index * concurrency
        ordered = [targets[(offset + j) % len(targets)] for j in range(concurrency)]
        specs.append(
            {
                "host": HOST,
                "port": ordered[0].port,
                "paths": ordered[0].paths,
                "count": max(1, count // processes),
                "seconds": seconds,
                "concurrency": concurrency,
                "method": method,
                "raw": True,
                "targets": [t.spec() for t in ordered],
            }
        )
    running = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "web.bench.loadgen", json.dumps(spec)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for spec in specs
    ]
    answers = []
    for process in running:
        out, _err = process.communicate(timeout=seconds + 120)
        if process.returncode:
            raise RuntimeError(f"a load generator failed ({process.returncode})")
        answers.append(json.loads(out))
    return merge(answers)


def merge(answers: list[dict[str, Any]]) -> dict[str, Any]:
    """Several load generators' answers as one."""
    latencies = sorted(x for a in answers for x in a.get("latencies_ms", []))
    statuses: dict[str, int] = {}
    for answer in answers:
        for status, number in answer["statuses"].items():
            statuses[status] = statuses.get(status, 0) + number

    def percentile(share: float) -> float:
        if not latencies:
            return 0.0
        return float(latencies[min(len(latencies) - 1, int(share * len(latencies)))])

    return {
        "requests": sum(a["requests"] for a in answers),
        "seconds": max(a["seconds"] for a in answers),
        "statuses": statuses,
        "p50_ms": percentile(0.50),
        "p95_ms": percentile(0.95),
        "p99_ms": percentile(0.99),
        "cpu_seconds": sum(a.get("cpu_seconds", 0.0) for a in answers),
    }


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a running process has used (Linux)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (all cores, Linux)."""
    with open("/proc/stat", encoding="ascii") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")
