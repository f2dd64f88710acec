"""A vote from tabling to the decision log, in a real browser.

The coordinator tables a proposal to the steering committee; the third place's
member, told that the vote opened, votes for it and, by proxy, for the citizens'
collective, watching the tally update in place; the coordinator records the vote of
a partner present at the meeting, closes the vote once the confirmation box is
ticked, and finds it in the decision log.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import wait_for_htmx

if TYPE_CHECKING:
    from playwright.sync_api import Page

TITLE = "Ouvrir une permanence le samedi"


def log_in(page: Page, base: str, email: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My consortia")).to_be_visible()
    page.get_by_role("link", name="Val de Brume numérique pour tous").click()


def vote(page: Page, partner: str, choice: str) -> None:
    page.select_option("#partner_id", label=partner)
    page.get_by_label(choice, exact=True).check()
    page.get_by_role("button", name="Vote", exact=True).click()
    wait_for_htmx(page)
    expect(page.locator("#vote-panel")).to_contain_text("Your vote is recorded.")


@pytest.mark.browser
def test_a_vote_goes_from_tabling_to_the_decision_log(
    browser_page: Page, live_server: str
) -> None:
    page = browser_page
    log_in(page, live_server, "coordinator@demo.example", "coordinator-demo")
    page.locator("nav.tabs").get_by_role("link", name="Votes").click()
    page.locator("summary", has_text="Table a proposal").click()
    page.select_option("#body_id", label="Comité de pilotage (COPIL)")
    page.fill("#title", TITLE)
    page.get_by_label("In a meeting, votes recorded on the day").check()
    page.get_by_role("button", name="Table the proposal").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()

    log_in(page, live_server, "member@demo.example", "member-demo-2026")
    # The member is told the vote opened (their partner sits on the COPIL) and goes
    # to it from the notification; they mark it read, in place.
    page.goto(f"{live_server}/notifications")
    told = page.locator(
        "#notification-list li", has_text=f"A vote is open on “{TITLE}”"
    )
    expect(told).to_have_count(1)
    told.get_by_role("button", name="Mark read").click()
    wait_for_htmx(page)
    expect(page.locator("#done-notice")).to_be_visible()
    told = page.locator(
        "#notification-list li", has_text=f"A vote is open on “{TITLE}”"
    )
    expect(told.get_by_role("button", name="Mark read")).to_have_count(0)
    told.get_by_role("link", name="Open").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    vote(page, "Tiers-lieu La Fabrique", "For")
    expect(page.locator("#tally-panel")).to_contain_text("1 of 5 partners voted")
    vote(page, "Collectif Les Voisins Connectés", "For")
    expect(page.locator("#tally-panel")).to_contain_text("2 of 5 partners voted")

    log_in(page, live_server, "coordinator@demo.example", "coordinator-demo")
    page.locator("nav.tabs").get_by_role("link", name="Votes").click()
    page.get_by_role("link", name=TITLE).click()
    # As chair, the coordinator records the vote of a partner present at the meeting.
    ballots = page.locator("form", has=page.locator("#ballots-title"))
    ballots.locator('select[id^="option-"]').first.select_option(label="For")
    ballots.get_by_role("button", name="Record these votes").click()
    wait_for_htmx(page)
    expect(page.locator("#tally-panel")).to_contain_text("3 of 5 partners voted")
    expect(page.locator("#done-notice")).to_be_visible()
    # Closing asks first: without the box ticked, nothing closes and the form says why.
    page.get_by_role("button", name="Close the vote").click()
    wait_for_htmx(page)
    expect(page.locator("#vote-panel")).to_contain_text(
        "Closing the vote cannot be undone: tick the box to confirm."
    )
    expect(page.locator("#tally-panel")).not_to_contain_text("Outcome")
    page.get_by_label(re.compile("I understand that a closed vote")).check()
    page.get_by_role("button", name="Close the vote").click()
    wait_for_htmx(page)
    expect(page.locator("#tally-panel h2")).to_have_text("Outcome")
    expect(page.locator("main")).to_contain_text("present at the meeting: For")
    page.locator("nav.tabs").get_by_role("link", name="Decisions").click()
    expect(page.locator("#log-table")).to_contain_text(TITLE)
