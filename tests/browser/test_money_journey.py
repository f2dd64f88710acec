"""Money from plan to amendment, in a real browser, on the demo consortium.

The coordinator reads the financing plan in force; the pilot team writes the second
quarter's activity report and submits it; the financer accepts
the second period's expense statements and the report; the funding page then shows
the second interim payment ready, and the financer records it: the page says which
accepted report released it. Last, the coordinator drafts an amendment extending the
eligible period and proposes it; the financer approves it. The console records no
Content Security Policy refusal on the way.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import wait_for_htmx

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

CONSORTIUM = "Val de Brume numérique pour tous"
COORDINATOR = ("coordinator@demo.example", "coordinator-demo")
PILOT = ("pilot@demo.example", "pilot-team-demo")
FINANCER = ("financer@demo.example", "financer-demo")
REPORT = "Rapport d'activité"


def log_in(page: Page, base: str, who: tuple[str, str]) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("#email", who[0])
    page.fill("#password", who[1])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My consortia")).to_be_visible()
    page.get_by_role("link", name=CONSORTIUM).click()


def tab(page: Page, name: str) -> None:
    page.locator("nav.tabs").get_by_role("link", name=name, exact=True).click()


def open_report_in(page: Page, status: str) -> None:
    """The activity report whose row shows ``status``."""
    tab(page, "Reporting")
    page.locator("tr", has_text=status).get_by_role("link", name=REPORT).first.click()
    expect(page.get_by_role("heading", name=REPORT)).to_be_visible()


@pytest.mark.browser
def test_a_payment_is_released_by_an_accepted_report_then_the_plan_is_amended(
    browser_page: Page, live_server: str
) -> None:
    page = browser_page
    console_errors: list[str] = []

    def collect(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(message.text)

    page.on("console", collect)

    log_in(page, live_server, COORDINATOR)
    tab(page, "Financing plan")
    expect(page.locator("main")).to_contain_text("Grant requested from this funder")

    log_in(page, live_server, PILOT)
    open_report_in(page, "To write")
    page.fill("#text", "Deuxième trimestre, fréquentation par commune jointe.")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator("#report-panel")).to_contain_text("Drafted")
    page.get_by_role("button", name="Submit the report").click()
    expect(page.locator("#report-panel dl")).to_contain_text("Submitted")

    log_in(page, live_server, FINANCER)
    tab(page, "Funding")
    expect(page.locator("#funding")).to_contain_text(
        f"Waiting for the report “{REPORT}” to be accepted."
    )
    tab(page, "Expenses")
    page.get_by_role(
        "button", name="Accept every submitted statement of this period"
    ).click()
    expect(page.locator("main")).not_to_contain_text("Submitted to the funder")
    open_report_in(page, "Submitted")
    page.fill("#comment", "Conforme.")
    page.get_by_role("button", name="Accept the report").click()
    expect(page.locator("#report-panel dl")).to_contain_text("Accepted")

    tab(page, "Funding")
    expect(page.locator("#funding")).to_contain_text("Ready to be paid")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.locator("#funding")).to_contain_text("€70,000.00 paid on")
    expect(page.locator("#funding")).to_contain_text(
        f"Released by the accepted report “{REPORT}” ("
    )
    expect(page.get_by_role("button", name="Record the payment")).to_have_count(0)

    log_in(page, live_server, COORDINATOR)
    tab(page, "Financing plan")
    page.get_by_role("link", name="Amendments").first.click()
    page.locator("summary", has_text="Draft an amendment").click()
    page.select_option("#d-kind", value="period_extension")
    page.fill("#d-reason", "Six mois de plus pour les permanences rurales.")
    page.get_by_role("button", name="Draft the amendment").click()
    wait_for_htmx(page)
    page.locator("summary", has_text="Extend the eligible period").click()
    later = datetime.now(UTC).date() + timedelta(days=4 * 365)
    page.fill("#p-eligible_until", later.isoformat())
    page.get_by_role("button", name="Extend the period").click()
    wait_for_htmx(page)
    page.get_by_role("button", name="Propose to the financer").click()
    wait_for_htmx(page)
    expect(page.locator("main")).to_contain_text("Awaiting the financer")

    log_in(page, live_server, FINANCER)
    tab(page, "Financing plan")
    page.get_by_role("link", name="Amendments").first.click()
    expect(page.locator("tr", has_text="Awaiting the financer")).to_have_count(1)
    page.locator("tr", has_text="Awaiting the financer").get_by_role("link").click()
    page.get_by_role("button", name="Approve the amendment").click()
    wait_for_htmx(page)
    expect(page.locator("main")).to_contain_text("Approved by the financer")
    expect(page.get_by_role("button", name="Approve the amendment")).to_have_count(0)

    assert not [e for e in console_errors if "Content Security Policy" in e]
