"""On a phone the consortium's tabs are a menu and the header keeps its links on it.

At 390 px the tabs fold into a "Sections of the consortium" menu (a <details>, so
it works without JavaScript) that opens to the whole list; at 1280 px the tabs are
shown as before, with no menu. The header's links stay on the dark header, where
their white text can be read (its Notifications link used to run off it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.browser.test_every_page_layout import (
    LOGINS,
    PHONE,
    WIDE,
    log_in,
    switch_language,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CONSORTIUM = "Val de Brume numérique pour tous"


def links_stay_on_the_header(page: Page) -> None:
    header = page.locator("header.site-header").bounding_box()
    assert header is not None
    for link in page.locator("header.site-header a").all():
        box = link.bounding_box()
        assert box is not None
        right, bottom = box["x"] + box["width"], box["y"] + box["height"]
        assert box["x"] >= header["x"], link.inner_text()
        assert right <= header["x"] + header["width"], link.inner_text()
        assert bottom <= header["y"] + header["height"], link.inner_text()


@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_on_a_phone_the_tabs_are_a_menu_and_the_header_links_stay_on_the_header(
    chromium: Browser, live_server: str, javascript: bool
) -> None:
    context = chromium.new_context(
        locale="en-GB", viewport=PHONE, java_script_enabled=javascript
    )
    try:
        page = context.new_page()
        log_in(page, live_server, LOGINS["financer"] or ("", ""))
        # French first: its longer words pushed Notifications off the header.
        switch_language(page, "Français")
        links_stay_on_the_header(page)
        switch_language(page, "English")
        links_stay_on_the_header(page)

        page.get_by_role("link", name=CONSORTIUM).first.click()
        tabs = page.locator("nav.tabs")
        menu = tabs.get_by_text("Sections of the consortium")
        expect(menu).to_be_visible()
        expect(tabs.get_by_role("link", name="Reporting")).to_be_hidden()
        menu.click()
        expect(tabs.get_by_role("link", name="Reporting")).to_be_visible()
        tabs.get_by_role("link", name="Reporting").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Reporting to funders"
        )
        expect(tabs.get_by_role("link", name="Reporting")).to_be_hidden()
    finally:
        context.close()


@pytest.mark.browser
def test_on_a_wide_screen_the_tabs_show_without_a_menu(
    chromium: Browser, live_server: str
) -> None:
    context = chromium.new_context(locale="en-GB", viewport=WIDE)
    try:
        page = context.new_page()
        log_in(page, live_server, LOGINS["coordinator"] or ("", ""))
        page.get_by_role("link", name=CONSORTIUM).first.click()
        tabs = page.locator("nav.tabs")
        expect(tabs.get_by_text("Sections of the consortium")).to_be_hidden()
        for name in ("Overview", "Reporting", "People", "Audit"):
            expect(tabs.get_by_role("link", name=name)).to_be_visible()
        first = tabs.get_by_role("link").nth(0).bounding_box()
        second = tabs.get_by_role("link").nth(1).bounding_box()
        assert first is not None
        assert second is not None
        # Tabs side by side (they may wrap onto a second row), not a list one
        # under the other.
        assert second["y"] == first["y"]
        assert second["x"] > first["x"]
    finally:
        context.close()
