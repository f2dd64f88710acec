"""A coordinator's first steps, in a real browser: found, admit, withdraw, read back,
close (after a confirmation).

One journey through the htmx forms against a live server, to catch what the
TestClient cannot: htmx swaps, ``HX-Location`` follow-ups, the CSP and the
language switch.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import wait_for_htmx

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

CONSORTIUM = "Mobilités partagées du Haut-Pays"
LEAD = "Mairie de Roche-Claire"
PARTNER = "Atelier Vélo Solidaire"


def admit(page: Page, name: str, kind: str, role: str, level: str = "") -> None:
    admission = page.locator("details", has=page.locator("#admit-form"))
    if admission.get_attribute("open") is None:
        admission.locator("summary").click()
    page.fill("#name", name)
    page.select_option("#kind", kind)
    if level:
        page.select_option("#authority_level", level)
    page.select_option("#role", role)
    page.get_by_role("button", name="Admit", exact=True).click()
    wait_for_htmx(page)
    expect(page.locator("#partner-table table")).to_contain_text(name)


@pytest.mark.browser
def test_a_coordinator_founds_a_consortium_and_records_its_partners(
    browser_page: Page, live_server: str
) -> None:
    page = browser_page
    console_errors: list[str] = []

    def collect(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(message.text)

    page.on("console", collect)

    page.goto(f"{live_server}/login")
    page.fill("#email", "coordinator@demo.example")
    page.fill("#password", "coordinator-demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My consortia")).to_be_visible()

    page.get_by_role("link", name="Found a consortium").click()
    page.fill("#name", CONSORTIUM)
    page.fill("#call_name", "Appel mobilités rurales")
    page.fill("#call_funder", "Région fictive")
    page.fill("#call_closing_dates", "2027-03-31")
    page.get_by_role("button", name="Found the consortium").click()
    wait_for_htmx(page)
    expect(page.locator("h1")).to_contain_text(CONSORTIUM)

    page.get_by_role("link", name="Partners", exact=True).click()
    admit(page, LEAD, "local_authority", "lead", level="commune")
    admit(page, PARTNER, "social_economy", "partner")
    expect(page.locator("#partner-table table")).to_contain_text(LEAD)
    # Each action says it worked, in the page's one notice.
    expect(page.locator("#done-notice")).to_be_visible()
    # Settling a swapped element never copies a style attribute: the CSP forbids
    # inline styles, and htmx's default list ("style" included) broke every update.
    assert page.evaluate("htmx.config.attributesToSettle") == [
        "class",
        "width",
        "height",
    ]

    page.get_by_role("link", name=PARTNER).click()
    page.get_by_role("link", name="Record a withdrawal…").click()
    page.fill("#reason", "Fin de l'activité vélo")
    page.get_by_role("button", name="Confirm the withdrawal").click()
    wait_for_htmx(page)
    expect(page.locator("#partner-record")).to_contain_text("Withdrew")
    expect(page.locator("h1")).to_have_text(PARTNER)

    page.get_by_role("link", name="History", exact=True).click()
    history = page.locator("#history-list")
    expect(history).to_contain_text(f"recorded the withdrawal of {PARTNER}")
    expect(history).to_contain_text(f"admitted {LEAD}")

    # Closing the project asks first, then says what a closed project still allows.
    page.get_by_role("link", name="Overview", exact=True).click()
    # A project closes after its application was turned down (or after its work).
    for phase in ("Application submitted", "Rejected"):
        page.select_option("#phase", label=phase)
        page.get_by_role("button", name="Change phase").click()
        wait_for_htmx(page)
    page.select_option("#phase", label="Closed")
    page.get_by_role("button", name="Change phase").click()
    wait_for_htmx(page)
    expect(page.locator("#phase-panel")).to_contain_text("tick")
    expect(page.locator("#phase-panel select")).to_have_count(1)
    page.select_option("#phase", label="Closed")
    page.get_by_label(re.compile("If I move to “Closed”")).check()
    page.get_by_role("button", name="Change phase").click()
    wait_for_htmx(page)
    expect(page.locator("#phase-panel")).to_contain_text("The project is closed.")
    page.get_by_role("link", name="Contributions", exact=True).click()
    expect(page.locator("main")).to_contain_text("It takes no new commitments.")
    expect(page.get_by_role("button", name="Record the commitment")).to_have_count(0)
    page.get_by_role("link", name="History", exact=True).click()

    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("link", name="Historique", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Historique", exact=True)).to_be_visible()

    csp_errors = [
        text
        for text in console_errors
        if re.search("Content Security Policy|Refused", text)
    ]
    assert csp_errors == []
