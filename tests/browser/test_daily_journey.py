"""Daily use in a real browser: each role lands on what needs them, in English and
French; the coordinator corrects a measured value, is warned that it is far from
the target or the previous values, confirms it, is told it worked, and finds the
correction (with the original value) in the history."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import wait_for_htmx

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

CONSORTIUM = "Val de Brume numérique pour tous"
LOGINS = {
    "coordinator": ("coordinator@demo.example", "coordinator-demo"),
    "member": ("member@demo.example", "member-demo-2026"),
    "pilot": ("pilot@demo.example", "pilot-team-demo"),
    "financer": ("financer@demo.example", "financer-demo"),
}


def log_in(page: Page, base: str, who: tuple[str, str]) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("#email", who[0])
    page.fill("#password", who[1])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My consortia")).to_be_visible()


@pytest.mark.browser
@pytest.mark.parametrize("role", LOGINS)
def test_each_role_lands_on_what_needs_them_in_english_and_french(
    browser_page: Page, live_server: str, role: str
) -> None:
    page = browser_page
    log_in(page, live_server, LOGINS[role])

    needs = page.locator("section.needs")
    expect(needs.get_by_role("heading", name="Needs you")).to_be_visible()
    # Either things to do, each a link to where it is done, or the empty state.
    items = needs.locator("li a")
    if items.count():
        expect(items.first).to_have_attribute("href", re.compile("^/consortia/"))
    else:
        expect(needs.locator("p")).not_to_have_count(0)

    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(
        page.locator("section.needs").get_by_role("heading", name="Ce qui vous attend")
    ).to_be_visible()


@pytest.mark.browser
def test_a_value_far_from_the_target_is_confirmed_corrected_and_kept_in_history(
    browser_page: Page, live_server: str
) -> None:
    page = browser_page
    console_errors: list[str] = []

    def collect(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(message.text)

    page.on("console", collect)
    log_in(page, live_server, LOGINS["coordinator"])
    page.get_by_role("link", name=CONSORTIUM).click()
    page.locator("nav.tabs").get_by_role("link", name="Indicators").click()

    # Each value links to its own page, which holds the forms that change it.
    page.locator("table.values").first.get_by_role(
        "link", name="Correct or withdraw"
    ).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("the value of")
    value = page.get_by_label("Right value")
    was = value.input_value()
    far = str(int(Decimal(was) * 10) + 1000)
    value.fill(far)
    page.get_by_label("Why it changes").fill("Deux feuilles d'émargement oubliées")
    page.get_by_role("button", name="Correct the value").click()
    wait_for_htmx(page)

    # Refused until confirmed: the warning in words and a box to tick, nothing lost.
    confirm = page.get_by_label("I checked: this value is right, record it.")
    expect(confirm).to_be_visible()
    expect(page.get_by_label("Right value").locator("visible=true")).to_have_value(far)
    confirm.check()
    page.get_by_role("button", name="Correct the value").click()
    wait_for_htmx(page)

    expect(page.locator("#done-notice")).to_be_visible()
    # Shown as English writes numbers ("1,000").
    expect(page.locator("table.values").first).to_contain_text(f"{int(far):,}")
    page.locator("nav.tabs").get_by_role("link", name="History").click()
    expect(page.locator("#history-list")).to_contain_text("corrected a value of")
    # The refused post answers 422, which the browser logs as a failed load: expected.
    assert [e for e in console_errors if "status of 422" not in e] == []
