"""Fixtures for the browser tests: a live uvicorn server and Debian's Chromium.

Playwright's own browser download is blocked on our machines, so the browser is the
system Chromium, launched through ``executable_path``. Locally the tests are skipped
when it is missing; in CI they fail instead, so they are never silently lost.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import sync_playwright

from tests.support.processes import consortium_command, web_server

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page

# The administrator the live server has besides the demo's people (e-mail, password).
ADMIN = ("admin@demo.example", "admin-demo-2026-browser")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


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
        [consortium_command(), "demo"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    # The platform's administrator, for the pages only an administrator reaches.
    subprocess.run(
        [
            *(consortium_command(), "admin", "create", "--email", ADMIN[0]),
            *("--name", "Ada Admin", "--password", ADMIN[1]),
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    with web_server(env) as base_url:
        yield base_url


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
