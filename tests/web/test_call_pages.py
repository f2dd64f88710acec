"""The call's page: its rules as data, the consortium checked against them in words,
the plan's funding rules typed once, refusals in words with nothing stored, each
role, English and French; and the application file as a PDF read back."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from governance.actor import Actor
from tests.support.pdf import pdf_streams
from tests.web.conftest import World, a_call, event_count, login, post, stores_of

TEXT_BLOCK = re.compile(rb"BT(.*?)ET", re.DOTALL)
STRING = re.compile(rb"\(((?:[^()\\]|\\.)*)\)")
ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)")


def call(world: World) -> str:
    return f"/consortia/{world.consortium_id}/call"


def the_rules(**overrides: str) -> dict[str, str]:
    """Companies and local authorities may apply, only authorities lead; €5,000
    to €100,000; at most 70 % from the funder, travel and staff eligible."""
    return {
        "eligible_kind_company": "on",
        "eligible_kind_local_authority": "on",
        "lead_kind_local_authority": "on",
        "budget_floor": "5000",
        "budget_ceiling": "100000",
        "max_duration_months": "24",
        "selection_committee_on": "2026-05-20",
        "contact_name": "Service des appels",
        "contact_email": "appels@funder.example",
        "max_funder_rate": "70",
        "indirect_base": "staff",
        "eligible_travel": "on",
        "eligible_staff": "on",
        **overrides,
    }


def _unescape(match: re.Match[bytes]) -> bytes:
    """A PDF string's escape: an octal code, or the character itself."""
    code = match.group(1)
    return bytes([int(code, 8)]) if code[:1].isdigit() else code


def pdf_lines(pdf: bytes) -> str:
    """The text drawn in a PDF (its streams inflated), one line per text block."""
    lines = []
    for content in pdf_streams(pdf):
        for block in TEXT_BLOCK.findall(content):
            strings = [ESCAPE.sub(_unescape, s) for s in STRING.findall(block)]
            if strings:
                lines.append(b"".join(strings).decode("cp1252"))
    return "\n".join(lines)


def test_the_rules_are_recorded_and_the_consortium_is_checked_in_words(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    saved = post(client, call(world) + "/rules", the_rules())
    page = client.get(call(world)).text

    assert saved.status_code == 303
    # Lead Corp is a company: it may apply, not lead.
    assert (
        "The lead partner Lead Corp is of a kind the call does not accept as lead"
        " (Company, SME or start-up)." in page
    )
    assert "Service des appels" in page
    assert "20 May 2026" in page


def test_the_plan_s_funding_rules_are_the_call_s_typed_once(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    post(client, call(world) + "/rules", the_rules(max_funder_rate="60"))
    post(
        client,
        f"/consortia/{world.consortium_id}/budget/expenses",
        {"partner_id": world.lead_id, "category": "equipment", "label": "PC",
         "amount": "2000"},
    )  # fmt: skip
    post(
        client,
        f"/consortia/{world.consortium_id}/budget/resources",
        {"partner_id": world.lead_id, "source": "requested", "amount": "1800"},
    )

    budget = client.get(f"/consortia/{world.consortium_id}/budget").text
    page = client.get(call(world)).text

    assert "Maximum rate of the call" in budget
    assert "60%" in budget
    assert 'action="/consortia/' + str(world.consortium_id) + '/budget/rules"' not in (
        budget
    )
    assert (
        "above the call&#39;s cap of 60%" in page
        or "above the call's cap of 60%" in page
    )
    assert "not a cost the call pays for" in page
    assert "below the call&#39;s floor" in page or "below the call's floor" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"budget_floor": "9000", "budget_ceiling": "8000"}, "The ceiling cannot be below the floor."),  # noqa: E501
        ({"budget_ceiling": "-3"}, "Enter a number"),
        ({"max_duration_months": "two"}, "Enter a whole number of months."),
        ({"max_duration_months": "0"}, "Give a duration between 1 and 240 months."),
        ({"lead_kind_academic": "on"}, "A kind of partner that may lead must also be eligible."),  # noqa: E501
        ({"contact_email": "nobody"}, "Give an e-mail address"),
        ({"max_funder_rate": "150"}, "A rate is a percentage: at most 100."),
        ({"selection_committee_on": "2026-13-40"}, "YYYY-MM-DD"),
    ],
)  # fmt: skip
def test_bad_rules_are_refused_in_words_and_nothing_is_stored(
    client: TestClient, world: World, data: dict[str, str], message: str
) -> None:
    login(client, world.emails["coordinator"])
    before = event_count(client)

    refused = post(client, call(world) + "/rules", the_rules(**data))

    assert refused.status_code == 422
    assert message in refused.text
    assert event_count(client) == before


@pytest.mark.parametrize("role", ["financer", "member", "pilot"])
def test_other_roles_read_the_rules_and_are_refused_any_change(
    client: TestClient, world: World, role: str
) -> None:
    login(client, world.emails["coordinator"])
    post(client, call(world) + "/rules", the_rules())
    login(client, world.emails[role])
    before = event_count(client)

    page = client.get(call(world))
    refused = post(client, call(world) + "/rules", the_rules(budget_floor="1"))

    assert page.status_code == 200
    assert "Record the call&#39;s rules" not in page.text
    assert "Service des appels" in page.text
    assert refused.status_code == 403
    assert event_count(client) == before


def test_the_page_and_its_checks_speak_french(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])
    post(client, call(world) + "/rules", the_rules())
    client.cookies.set("lang", "fr")

    page = client.get(call(world)).text

    assert "L’appel et ses règles" in page or "L'appel et ses règles" in page
    assert "Lead Corp" in page
    assert "ne retient pas comme chef de file" in page


def test_the_application_file_names_each_partner_and_the_plan_s_totals(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    for category, amount in (("travel", "1000"), ("staff", "2500")):
        post(
            client,
            f"/consortia/{world.consortium_id}/budget/expenses",
            {"partner_id": world.partner_id, "category": category,
             "label": "Ligne", "amount": amount},
        )  # fmt: skip
    post(
        client,
        f"/consortia/{world.consortium_id}/budget/resources",
        {"partner_id": world.partner_id, "source": "requested", "amount": "2450"},
    )

    english = client.get(call(world) + "/application-file.pdf")
    client.cookies.set("lang", "fr")
    french = client.get(call(world) + "/application-file.pdf")

    assert english.status_code == 200
    assert english.headers["content-type"] == "application/pdf"
    assert "application-file-IN.pdf" in english.headers["content-disposition"]
    text = pdf_lines(english.content)
    for name in ("Lead Corp", "Partner Co", "Other Co"):
        assert name in text
    assert "€3,500.00" in text  # expenses
    assert "€2,450.00" in text  # grant requested
    assert "70%" in text
    assert "Application file" in text
    texte = pdf_lines(french.content)
    assert "Dossier de candidature" in texte
    assert "3 500,00 €" in texte.replace("\xa0", " ")
    assert "Partner Co" in texte


def test_an_outsider_gets_no_application_file(client: TestClient, world: World) -> None:
    login(client, world.emails["outsider"])

    assert client.get(call(world) + "/application-file.pdf").status_code == 404
    assert client.get(call(world)).status_code == 404


def test_my_deadlines_and_the_calendar_feed_show_the_application_s_closing_date(
    client: TestClient, world: World
) -> None:
    stores = stores_of(client)
    account = stores.accounts.by_email(world.emails["coordinator"])
    assert account is not None
    coordinator = Actor(account.account_id)
    closes = datetime.now(UTC).date() + timedelta(days=20)
    stores.governance.revise_profile(
        coordinator,
        world.consortium_id,
        name="Inclusion Numérique",
        acronym="IN",
        summary="",
        territory="Val",
        call=replace(a_call(), closing_dates=(closes,)),
    )
    stores.read_side.catch_up()
    login(client, world.emails["member"])

    page = client.get("/calendar").text
    post(client, "/calendar/feed")
    made = client.get("/calendar").text  # the address, after the redirect
    token = re.search(r"/calendar/([A-Za-z0-9_-]+)\.ics", made)
    assert token is not None
    feed = client.get(f"/calendar/{token.group(1)}.ics").text

    assert "Applications" in page
    assert "Territoires durables" in page
    assert f'href="{call(world)}"' in page
    assert "Application to “Territoires durables” closes (Inclusion Numérique)" in (
        feed.replace("\r\n ", "")
    )
    assert f"DTSTART;VALUE=DATE:{closes:%Y%m%d}" in feed


def test_the_readiness_page_tells_the_call_s_checks_too(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    before = client.get(f"/consortia/{world.consortium_id}/readiness").text
    post(client, call(world) + "/rules", the_rules())

    page = client.get(f"/consortia/{world.consortium_id}/readiness").text

    assert "rules are not recorded yet." in before
    assert "The lead partner Lead Corp is of a kind the call does not accept" in page
    assert f'href="{call(world)}"' in page
