"""Fixtures for the browser tests: a live uvicorn server and Debian's Chromium.

Playwright's own browser download is blocked on our machines, so the browser is the
system Chromium, launched through ``executable_path``. Locally the tests are skipped
when it is missing; in CI they fail instead, so they are never silently lost.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import sync_playwright

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
STARTUP_SECONDS = 20.0


def wait_for_htmx(page: Page) -> None:
    """Wait until htmx has no request in flight (no element has ``htmx-request``)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


@pytest.fixture(scope="session")
def browser_path() -> str:
    path = os.environ.get("PLAYWRIGHT_BROWSER_EXECUTABLE_PATH", "/usr/bin/chromium")
    if not Path(path).is_file():
        message = f"Chromium not found at {path}: install Debian's chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _consortium_command() -> str:
    # The console script installed next to this interpreter (web.cli has no __main__).
    beside = Path(sys.executable).parent / "consortium"
    found = str(beside) if beside.is_file() else shutil.which("consortium")
    if found is None:
        pytest.fail("the `consortium` command is not installed in this environment")
    return found


def _wait_until_healthy(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"uvicorn exited with status {server.returncode}")
        try:
            # S310: the URL is our own http://127.0.0.1 address, not user input.
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        # Polling an external process: there is no event to wait on.
        time.sleep(0.1)
    pytest.fail(f"{url} did not answer 200 within {STARTUP_SECONDS:.0f} s")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the app, served by uvicorn on a free port, with the demo loaded."""
    data_dir = tmp_path_factory.mktemp("live-data")
    env = {
        **os.environ,
        "CONSORTIUM_DATA_DIR": str(data_dir),
        "CONSORTIUM_SECRET_KEY": "browser-test-secret",
    }
    subprocess.run(
        [_consortium_command(), "demo"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = _free_port()
    server = subprocess.Popen(
        [
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
        ],
        env=env,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(f"{base_url}/healthz", server)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def chromium(browser_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=browser_path, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium: Browser) -> Iterator[Page]:
    """A fresh page in its own browser context (no cookies shared between tests)."""
    context = chromium.new_context(locale="en-GB")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()
