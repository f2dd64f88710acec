"""Real processes for end-to-end tests: the ``consortium`` command and uvicorn.

Each started process is bounded in time and always stopped.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

STARTUP_SECONDS = 20.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def consortium_command() -> str:
    """The console script installed next to this interpreter."""
    beside = Path(sys.executable).parent / "consortium"
    found = str(beside) if beside.is_file() else shutil.which("consortium")
    if found is None:
        pytest.fail("the `consortium` command is not installed in this environment")
    return found


def uvicorn_command(port: int) -> list[str]:
    """The application served by uvicorn on loopback, as production runs it."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "web.cli:app_factory",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        # As `consortium serve` without CONSORTIUM_TRUSTED_PROXIES: no header
        # chooses the client's address.
        "--no-proxy-headers",
    ]


def wait_until_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    """Poll ``url`` until it answers 200 (the process is external: no event)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with status {process.returncode}")
        try:
            # S310: the URL is our own http://127.0.0.1 address, not user input.
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    pytest.fail(f"{url} did not answer 200 within {STARTUP_SECONDS:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def web_server(env: dict[str, str]) -> Iterator[str]:
    """A uvicorn web process on a free port; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        uvicorn_command(port),
        env=env,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(f"{base_url}/healthz", process)
        yield base_url
    finally:
        stop(process)


@contextmanager
def consortium_serve(
    env: dict[str, str], *options: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``consortium serve`` (the production entry: its uvicorn settings, such as
    the trusted proxies) on a free port; yields its base URL and process."""
    port = free_port()
    process = subprocess.Popen(
        [consortium_command(), "serve", "--port", str(port), *options],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(f"{base_url}/healthz", process)
        yield base_url, process
    finally:
        stop(process)
