"""Script payloads typed into every kind of text field come out inert everywhere:
pages, htmx fragments, reminder e-mails (quality cases S10–S12).

Each page is parsed: no script element but our own two, no event-handler attribute,
no htmx attribute pointing where we never point, no image with the payload's source,
and the payload's text is shown escaped.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from uuid import UUID

import pytest
from starlette.testclient import TestClient

from governance.actor import Actor
from governance.values import (
    ContributionKind,
    Funding,
    Motion,
    Paper,
    PartnerIdentity,
    PartnerKind,
    PartnerRole,
    Pledge,
    ReportKind,
)
from governance.voting import DEFAULT_OPTIONS, VotingRule
from notifications.emails import Delivery, MailRenderer, Recipient, ReminderItem
from tests.web.conftest import World, htmx_get, login, stores_of
from web.i18n import catalogues
from web.links import EmailLinks

PAYLOADS = (
    "<script>alert('x1')</script>",
    "<img src=x1 onerror=alert('x2')>",
    "\" autofocus onfocus=\"alert('x3')",
    "' onmouseover='alert(4)",
    '<div hx-get="/evil" hx-trigger="load">x5</div>',
    '<a data-hx-post="/evil">x6</a>',
)
PAYLOAD = " ".join(PAYLOADS)


class Inspector(HTMLParser):
    """Collects what would run: scripts, handlers, htmx attributes, images."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.handlers: list[tuple[str, str | None]] = []
        self.htmx: list[tuple[str, str | None]] = []
        self.images: list[str | None] = []
        self._in_script = False
        self.script_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(dict(attrs))
            self._in_script = True
        if tag == "img":
            self.images.append(dict(attrs).get("src"))
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((name, value))
            if name.startswith(("hx-", "data-hx-")) and value and "/evil" in value:
                self.htmx.append((name, value))
            if name in {"autofocus", "onfocus", "onmouseover"}:
                self.handlers.append((name, value))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_text += data


def assert_inert(html: str, where: str) -> None:
    inspector = Inspector()
    inspector.feed(html)
    sources = {s.get("src") for s in inspector.scripts}
    assert sources <= {
        None,
        "/static/app.js",
        *{s.get("src") for s in inspector.scripts if "htmx" in (s.get("src") or "")},
    }, where
    assert all(s.get("src") for s in inspector.scripts), f"inline script in {where}"
    assert "alert" not in inspector.script_text, where
    assert inspector.handlers == [], f"{where}: {inspector.handlers}"
    assert inspector.htmx == [], f"{where}: {inspector.htmx}"
    assert "x1" not in inspector.images, where


def a_consortium_full_of_payloads(client: TestClient, world: World) -> dict[str, str]:
    stores = stores_of(client)
    governance = stores.governance
    coordinator_account = stores.accounts.by_email(world.emails["coordinator"])
    assert coordinator_account is not None
    coordinator = Actor(coordinator_account.account_id)
    cid = world.consortium_id
    partner = governance.admit_partner(
        coordinator,
        cid,
        PartnerIdentity(PAYLOAD[:200], PartnerKind.SOCIAL_ECONOMY),
        role=PartnerRole.PARTNER,
        axis=PAYLOAD[:200],
        paper=Paper.NONE,
        paper_signed_on=None,
        joined_on=date(2026, 1, 6),
    ).id
    commitment = governance.pledge(
        coordinator,
        cid,
        partner,
        Pledge(
            ContributionKind.FINANCIAL,
            Decimal("10"),
            date(2026, 1, 1),
            date(2026, 12, 31),
            PAYLOAD,
            Funding.CO_FINANCING,
        ),
    ).id
    governance.deliver(
        coordinator,
        UUID(commitment),
        delivered_on=date(2026, 2, 1),
        amount=Decimal("5"),
        description=PAYLOAD,
        evidence=None,
    )
    body = governance.establish_body(
        coordinator, cid, name=PAYLOAD[:120], members={partner: 1}, rule=VotingRule()
    ).id
    proposal = governance.table_proposal(
        coordinator,
        cid,
        body,
        Motion(
            PAYLOAD[:200],
            PAYLOAD,
            DEFAULT_OPTIONS,
            "meeting",
            meeting_on=date(2026, 3, 2),
        ),
    ).id
    report = governance.schedule_report(
        coordinator,
        cid,
        funder=PAYLOAD[:200],
        title=PAYLOAD[:200],
        kind=ReportKind.ACTIVITY_REPORT,
        responsible_id=None,
        due_on=datetime.now(UTC).date() + timedelta(days=3),
    ).id
    governance.draft_report(coordinator, UUID(report), PAYLOAD)
    governance.change_partner_axis(coordinator, cid, partner, PAYLOAD[:190] + "!")
    stores.read_side.catch_up()
    return {
        "partner": partner,
        "commitment": commitment,
        "proposal": proposal,
        "report": report,
    }


def test_payloads_are_inert_on_every_page_and_fragment(
    client: TestClient, world: World
) -> None:
    made = a_consortium_full_of_payloads(client, world)
    login(client, world.emails["coordinator"])
    base = f"/consortia/{world.consortium_id}"
    pages = [
        base,
        f"{base}/partners",
        f"{base}/partners/{made['partner']}",
        f"{base}/ledger",
        f"{base}/commitments/{made['commitment']}",
        f"{base}/bodies",
        f"{base}/proposals",
        f"{base}/proposals/{made['proposal']}",
        f"{base}/decisions",
        f"{base}/reporting",
        f"{base}/reporting?view=month",
        f"{base}/reports/{made['report']}",
        f"{base}/history",
        f"{base}/audit",
        "/calendar",
        "/notifications",
    ]
    shown = 0
    for page in pages:
        full = client.get(page)
        fragment = htmx_get(client, page)
        assert full.status_code == 200, page
        assert_inert(full.text, page)
        assert_inert(fragment.text, page + " (fragment)")
        shown += full.text.count("&lt;script&gt;alert(")
    assert shown >= 10  # the payloads are there, as text


def test_payloads_are_inert_in_reminder_emails() -> None:
    base_url = "https://ledger.example"
    renderer = MailRenderer(catalogues(), base_url, EmailLinks(base_url))
    item = ReminderItem(
        reminder_id="r-1",
        consortium_id="c-1",
        obligation_id="o-1",
        consortium_name=PAYLOAD,
        report_title=PAYLOAD,
        funder=PAYLOAD,
        due_on=date(2026, 9, 30),
        escalation=2,
    )
    person = Recipient("a-1", "a@example.org", PAYLOAD, "fr", Delivery.IMMEDIATE)

    one = renderer.reminder(item, person, date(2026, 9, 23))
    digest = renderer.digest([item, item], person, date(2026, 9, 23))

    for message in (one, digest):
        assert message.html_body is not None
        assert_inert(message.html_body, message.subject)
        assert "&lt;script&gt;" in message.html_body
        assert re.search(r"<script", message.html_body) is None


def test_the_inspector_does_catch_each_payload_left_raw() -> None:
    for payload in PAYLOADS:
        html = f'<p title="{payload}">{payload}</p>' if '"' in payload else payload
        if payload.startswith("'"):
            html = f"<p title='{payload}'>x</p>"
        with pytest.raises(AssertionError):
            assert_inert(html, "raw")
