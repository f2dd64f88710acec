"""A report from scheduling to acceptance, in a real browser, then seen by month.

The pilot team schedules a report due today, drafts it with a PDF and submits it;
the financer sends it back with a comment; the pilot team rewrites it, this time
with the indicator values of its period, and resubmits it; the financer accepts it.
The report's history tells every step, and in French the month view of "my
deadlines" shows it accepted in today's cell. The console records no Content
Security Policy refusal on the way.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import wait_for_htmx

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

TITLE = "Note d'étape sur les permanences"
CONSORTIUM = "Val de Brume numérique pour tous"
PILOT = ("pilot@demo.example", "pilot-team-demo")
FINANCER = ("financer@demo.example", "financer-demo")
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


def log_in(page: Page, base: str, who: tuple[str, str]) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("#email", who[0])
    page.fill("#password", who[1])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My consortia")).to_be_visible()


def open_report(page: Page) -> None:
    page.get_by_role("link", name=CONSORTIUM).click()
    page.locator("nav.tabs").get_by_role("link", name="Reporting").click()
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()


def draft_and_submit(
    page: Page, text: str, *, attach: bool = False, indicators: bool = False
) -> None:
    page.fill("#text", text)
    if indicators:
        page.get_by_label("Include the indicator values of the period").check()
    if attach:
        page.set_input_files(
            "#attachment",
            files=[
                {"name": "note-etape.pdf", "mimeType": "application/pdf", "buffer": PDF}
            ],
        )
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator("#report-panel")).to_contain_text("Drafted")
    page.get_by_role("button", name="Submit the report").click()
    expect(page.locator("#report-panel dl")).to_contain_text("Submitted")


def review(page: Page, button: str, comment: str) -> None:
    page.fill("#comment", comment)
    page.get_by_role("button", name=button).click()


@pytest.mark.browser
def test_a_report_is_sent_back_resubmitted_accepted_and_seen_in_the_month(
    browser_page: Page, live_server: str
) -> None:
    page = browser_page
    console_errors: list[str] = []

    def collect(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(message.text)

    page.on("console", collect)
    today = datetime.now(UTC).date()

    log_in(page, live_server, PILOT)
    page.get_by_role("link", name=CONSORTIUM).click()
    page.locator("nav.tabs").get_by_role("link", name="Reporting").click()
    page.locator("summary", has_text="Schedule a report").click()
    page.fill("#funder", "Banque publique des Territoires Solidaires (fictive)")
    page.fill("#title", TITLE)
    page.select_option("#kind", label="Activity report")
    page.get_by_label("Once, on a date").check()
    page.fill("#due_on", today.isoformat())
    page.get_by_role("button", name="Schedule", exact=True).click()
    wait_for_htmx(page)
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    page.get_by_role("link", name=TITLE).click()
    draft_and_submit(page, "Douze permanences tenues.", attach=True)
    expect(page.locator("#report-indicators")).to_have_text(
        "Indicator values of the period"
    )
    expect(page.get_by_role("link", name="note-etape.pdf")).to_be_visible()

    log_in(page, live_server, FINANCER)
    # The financer is told the report was submitted and opens it from there.
    page.goto(f"{live_server}/notifications")
    told = page.locator(
        "#notification-list li", has_text=f"The report “{TITLE}” of {CONSORTIUM}"
    )
    expect(told).to_contain_text("was submitted and waits for your review")
    told.get_by_role("link", name="Open").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    review(page, "Request changes", "Merci d'ajouter la fréquentation par commune.")
    expect(page.locator("#report-panel dl")).to_contain_text("Changes requested")

    log_in(page, live_server, PILOT)
    open_report(page)
    draft_and_submit(
        page, "Douze permanences, 212 personnes, par commune.", indicators=True
    )

    log_in(page, live_server, FINANCER)
    open_report(page)
    review(page, "Accept the report", "Conforme.")
    expect(page.locator("#report-panel dl")).to_contain_text("Accepted")
    expect(page.locator("#report-indicators")).to_have_text(
        "Indicator values in this report"
    )
    expect(page.locator("#report-indicators-section")).to_contain_text(
        "Personnes accompagnées en médiation"
    )
    history = page.locator("#report-panel ol.history li")
    expect(history).to_have_count(7)
    steps = [re.sub(r"\s+", " ", t) for t in history.all_inner_texts()]
    for number, expected in enumerate(
        [
            "scheduled the report",
            "saved a draft",
            "submitted the report",
            "requested changes: Merci d'ajouter la fréquentation par commune.",
            "saved a draft with the indicator values",
            "submitted the report",
            "accepted the report: Conforme.",
        ]
    ):
        assert expected in steps[number], steps

    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("link", name="Mes échéances").click()
    page.locator("nav.view-switch").get_by_role("link", name="Mois").click()
    grid = page.get_by_role("table")
    expect(grid.locator("caption")).to_contain_text(str(today.year))
    cell = page.locator('td[aria-current="date"]')
    expect(cell).to_have_attribute("data-day", today.isoformat())
    expect(cell).to_contain_text(TITLE)
    expect(cell).to_contain_text("Accepté")
    expect(page.get_by_role("columnheader").first).to_contain_text("lundi")

    # By keyboard: the report's link in today's cell is reachable and opens it.
    cell.get_by_role("link", name=TITLE).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()

    csp_errors = [
        text
        for text in console_errors
        if re.search("Content Security Policy|Refused", text)
    ]
    assert csp_errors == []
