"""Every page each demo role reaches fits a 390 px phone and passes axe.

The pages are not listed here: each role's pages are what a bounded crawl of the
links of the header, the consortium's tabs and the pages' content reaches (see
``crawl.py``), so a page added later is checked without editing this test.

On a phone (390 × 844), in English and in French, every page of every role must
not scroll sideways (``scrollWidth ≤ 390``: tables scroll inside their card, the
tabs fold into a menu), log no console error and have no axe violation. On a wide
screen (1280 px) axe checks each kind of page once in English, as the first role
that reached it, and a sample in French (the suite must stay within a few minutes
on a 2-core machine: axe takes a few tenths of a second a page).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import ADMIN, wait_for_htmx
from tests.browser.crawl import crawl, shape
from web.ops.demo.story import DEMO_LOGINS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, ConsoleMessage, Page

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}
LOGINS: dict[str, tuple[str, str] | None] = {
    login.role.split(" (")[0].replace(" ", "-"): (login.email, login.password)
    for login in DEMO_LOGINS
} | {"administrator": ADMIN, "anonymous": None}
# Where each crawl starts: where a login lands; before it, the login page and an
# error page (no link leads to one).
ERROR_PAGE = "/no-such-page"
ANONYMOUS_STARTS = ("/login", ERROR_PAGE)
# The browser logs the error page's own status as a console error: that one is meant.
MEANT = "the server responded with a status of 404"
# Each role reaches a few dozen kinds of page; far more means the crawl went astray,
# far fewer that the login or the links broke.
PAGE_LIMIT = 150
FEWEST_PAGES = {"anonymous": 3, "administrator": 10}
AXE = Axe()
# On a wide screen, French is checked on a sample: the first pages of each crawl.
FRENCH_SAMPLE = 12


@dataclass
class Checks:
    """Checks pages as they are reached and keeps what went wrong.

    axe runs once per kind of page (see ``crawl.shape``) for each width and
    language: ``axe_done`` is shared by the tests of this module.
    """

    width: int
    language: str
    console_errors: list[str]
    axe_done: set[str]
    found: list[str] = field(default_factory=list)
    widths: dict[str, int] = field(default_factory=dict)

    def __call__(self, page: Page, url: str) -> None:
        wait_for_htmx(page)
        # The forms folded in a <details> ("Schedule a report"…) must fit too.
        page.evaluate(
            "document.querySelectorAll('main details').forEach(d => { d.open = true; })"
        )
        where = f"{self.language} {url}"
        width = int(page.evaluate("document.documentElement.scrollWidth"))
        self.widths[url] = width
        if width > self.width:
            self.found.append(f"{where}: {width} px wide on a {self.width} px screen")
        self.found += [
            f"{where}: console: {text}"
            for text in self.console_errors
            if not (url.endswith(ERROR_PAGE) and MEANT in text)
        ]
        self.console_errors.clear()
        if self.axe_pending(url):
            self.axe_done.add(self.kind(url))
            self.found += [f"{where}: axe: {text}" for text in violations_of(page)]

    def kind(self, url: str) -> str:
        return f"{self.width} {self.language} {shape(url)}"

    def axe_pending(self, url: str) -> bool:
        return self.kind(url) not in self.axe_done

    def visit(self, page: Page, url: str) -> None:
        self.console_errors.clear()
        page.goto(url)
        self(page, url)


def log_in(page: Page, base: str, who: tuple[str, str]) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", who[0])
    page.fill("#password", who[1])
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("header a.who")).to_be_visible()


def switch_language(page: Page, button: str) -> None:
    page.locator(".language-switch").get_by_role("button", name=button).click()
    expect(page.locator("html")).to_have_attribute(
        "lang", "fr" if button == "Français" else "en"
    )


def violations_of(page: Page) -> list[str]:
    """axe's violations on the page, one line each (rule, impact, first targets)."""
    results: dict[str, Any] = AXE.run(page).response
    return [
        f"{v['id']} ({v['impact']}): "
        + "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:3])
        for v in results["violations"]
    ]


@pytest.fixture(scope="module")
def axe_done() -> set[str]:
    """The kinds of page axe has checked, per width and language, in this module."""
    return set()


@pytest.fixture
def signed_in(chromium: Browser, live_server: str) -> Iterator[Any]:
    """Opens a page signed in as a role, at a viewport; collects console errors."""
    contexts = []

    def open_as(role: str, viewport: dict[str, int]) -> tuple[Page, list[str]]:
        context = chromium.new_context(locale="en-GB", viewport=viewport)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []

        def collect(message: ConsoleMessage) -> None:
            if message.type == "error":
                errors.append(message.text)

        page.on("console", collect)
        who = LOGINS[role]
        if who is None:
            page.goto(f"{live_server}/login")
        else:
            log_in(page, live_server, who)
        return page, errors

    yield open_as
    for context in contexts:
        context.close()


def starts(page: Page, base: str) -> list[str]:
    """Where a crawl starts: where the login landed, or the anonymous pages."""
    if page.url.startswith(f"{base}/login"):
        return [f"{base}{path}" for path in ANONYMOUS_STARTS]
    return [page.url]


@pytest.fixture(scope="module")
def crawled() -> dict[str, list[str]]:
    """Each role's pages, as the phone test found them (the wide test reuses them)."""
    return {}


@pytest.mark.browser
@pytest.mark.parametrize("role", list(LOGINS))
def test_every_page_of_a_role_fits_a_phone_without_console_errors_or_axe_violations(
    signed_in: Any,
    live_server: str,
    role: str,
    axe_done: set[str],
    crawled: dict[str, list[str]],
) -> None:
    page, errors = signed_in(role, PHONE)
    switch_language(page, "English")
    english = Checks(PHONE["width"], "en", errors, axe_done)
    pages = crawl(
        page, live_server, starts(page, live_server), on_page=english, limit=PAGE_LIMIT
    ).pages
    assert FEWEST_PAGES.get(role, 20) <= len(pages) < PAGE_LIMIT, pages
    crawled[role] = pages
    switch_language(page, "Français")
    french = Checks(PHONE["width"], "fr", errors, axe_done)
    for url in pages:
        french.visit(page, url)
    widths = (*english.widths.items(), *french.widths.items())
    widest = max(widths, key=lambda width: width[1])
    print(f"{role}: {len(pages)} pages, the widest {widest}")  # noqa: T201
    assert not english.found + french.found, "\n".join(english.found + french.found)


@pytest.mark.browser
@pytest.mark.parametrize("role", list(LOGINS))
def test_every_kind_of_page_passes_axe_on_a_wide_screen(
    signed_in: Any,
    live_server: str,
    role: str,
    axe_done: set[str],
    crawled: dict[str, list[str]],
) -> None:
    page, errors = signed_in(role, WIDE)
    pages = (
        crawled.get(role) or crawl(page, live_server, starts(page, live_server)).pages
    )
    found: list[str] = []
    for language, button, sample in (
        ("en", "English", pages),
        ("fr", "Français", pages[:FRENCH_SAMPLE]),
    ):
        switch_language(page, button)
        checks = Checks(WIDE["width"], language, errors, axe_done)
        for url in sample:
            if checks.axe_pending(url):
                checks.visit(page, url)
        found += checks.found
    assert not found, "\n".join(found)


@pytest.mark.browser
def test_every_page_of_the_coordinator_fits_a_phone_without_javascript(
    chromium: Browser, live_server: str
) -> None:
    # Without app.js no wrapper is added: app.css alone must keep tables in place.
    context = chromium.new_context(
        locale="en-GB", viewport=PHONE, java_script_enabled=False
    )
    try:
        page = context.new_page()
        log_in(page, live_server, LOGINS["coordinator"] or ("", ""))
        too_wide: list[str] = []

        def measure(page: Page, url: str) -> None:
            width = int(page.evaluate("document.documentElement.scrollWidth"))
            if width > PHONE["width"]:
                too_wide.append(f"{url}: {width} px")

        pages = crawl(page, live_server, [page.url], on_page=measure).pages
        assert len(pages) >= 20, pages
        assert not too_wide, "\n".join(too_wide)
    finally:
        context.close()
