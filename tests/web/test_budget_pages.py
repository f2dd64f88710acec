"""The financing plan through the pages: each role, English and French, bad input
refused with a clear message and nothing stored, versions compared, the export."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from tests.web.conftest import World, event_count, login, post


def budget(world: World) -> str:
    return f"/consortia/{world.consortium_id}/budget"


def call_rules(world: World) -> str:
    return f"/consortia/{world.consortium_id}/call/rules"


def an_expense(world: World, **overrides: str) -> dict[str, str]:
    return {
        "partner_id": world.lead_id,
        "category": "travel",
        "label": "Déplacements",
        "amount": "1000",
        **overrides,
    }


def a_resource(world: World, **overrides: str) -> dict[str, str]:
    return {
        "partner_id": world.lead_id,
        "source": "requested",
        "amount": "700",
        **overrides,
    }


def planned(client: TestClient, world: World) -> None:
    """The coordinator plans staff by days, travel, the grant; the lead pledges
    300 € of own funds: balanced at 70 %."""
    login(client, world.emails["coordinator"])
    for expense in (
        an_expense(
            world,
            category="staff",
            label="Chef de projet",
            amount="",
            person_days="2",
            daily_rate="250",
        ),
        an_expense(world, amount="500"),
    ):
        assert post(client, budget(world) + "/expenses", expense).status_code == 303
    assert (
        post(client, budget(world) + "/resources", a_resource(world)).status_code == 303
    )
    pledged = post(
        client,
        f"/consortia/{world.consortium_id}/commitments",
        {
            "partner_id": world.lead_id,
            "kind": "financial",
            "amount": "300",
            "starts_on": "2026-02-01",
            "ends_on": "2026-12-31",
            "covers": "Autofinancement",
            "funding": "co_financing",
        },
    )
    assert pledged.status_code == 303


def test_an_empty_plan_says_so_and_offers_the_coordinator_its_forms(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])

    page = client.get(budget(world))

    assert page.status_code == 200
    assert "No financing plan yet. Start with the call" in page.text
    assert "Plan an expense" in page.text
    assert f'href="{budget(world)}"' in page.text  # the consortium's menu


def test_the_plan_shows_its_tables_totals_and_checks(
    client: TestClient, world: World
) -> None:
    planned(client, world)

    page = client.get(budget(world))

    assert page.status_code == 200
    assert '<th scope="row">Lead Corp</th>' in page.text
    assert "€1,000.00" in page.text  # staff: 2 person-days × €250... plus travel
    assert "2 person-days × €250.00" in page.text
    assert "70%" in page.text
    assert "Balanced and within the call" in page.text


def test_the_french_page_speaks_french(client: TestClient, world: World) -> None:
    planned(client, world)
    client.cookies.set("lang", "fr")

    page = client.get(budget(world))

    assert "Plan de financement" in page.text
    assert "Subvention sollicitée" in page.text
    assert "1\u202f000,00\xa0€" in page.text or "1\xa0000,00\xa0€" in page.text


def test_an_unbalanced_plan_is_told_in_words(client: TestClient, world: World) -> None:
    login(client, world.emails["coordinator"])
    post(client, budget(world) + "/expenses", an_expense(world))

    page = client.get(budget(world))

    assert "The plan is not balanced: expenses come to €1,000.00" in page.text
    assert "Lead Corp has expenses but no resources in the plan." in page.text


@pytest.mark.parametrize(
    ("url", "data", "field", "message"),
    [
        (
            "/rules",
            {
                "max_funder_rate": "150",
                "indirect_base": "staff",
                "eligible_staff": "on",
            },
            "max_funder_rate",
            "A rate is a percentage: at most 100.",
        ),
        ("/expenses", {"amount": "-5"}, "amount", "Enter a number"),
        ("/expenses", {"amount": "1000.005"}, "amount", "Use at most two decimals."),
        (
            "/resources",
            {"source": "own_funds"},
            "source",
            "Own funds and contributions in kind come from the partners",
        ),
    ],
    ids=["rate-over-100", "negative", "fractional-cent", "own-funds-typed"],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_stored(
    client: TestClient,
    world: World,
    url: str,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    login(client, world.emails["coordinator"])
    base = a_resource(world) if url == "/resources" else an_expense(world)
    before = event_count(client)

    # The funding rules are typed on the call's page (one form for all its rules).
    where = call_rules(world) if url == "/rules" else budget(world) + url
    refused = post(client, where, {**base, **data})

    assert refused.status_code == 422
    assert message in refused.text
    assert event_count(client) == before


@pytest.mark.parametrize("role", ["financer", "member", "pilot"])
def test_other_roles_read_the_plan_and_are_refused_any_change(
    client: TestClient, world: World, role: str
) -> None:
    planned(client, world)
    login(client, world.emails[role])
    before = event_count(client)

    page = client.get(budget(world))
    refused = post(client, budget(world) + "/expenses", an_expense(world))

    assert page.status_code == 200
    assert "Plan an expense" not in page.text
    assert '<th scope="row">Lead Corp</th>' in page.text
    assert refused.status_code == 403
    assert "Your role in this consortium does not allow this." in refused.text
    assert event_count(client) == before


def test_someone_outside_the_consortium_gets_not_found(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["outsider"])

    assert client.get(budget(world)).status_code == 404
    assert (
        post(client, budget(world) + "/expenses", an_expense(world)).status_code == 404
    )


def test_filing_the_convention_locks_the_plan_and_a_change_needs_an_amendment(
    client: TestClient, world: World
) -> None:
    planned(client, world)
    for kind in ("application", "convention"):
        filed = post(client, budget(world) + "/versions", {"kind": kind})
        assert filed.status_code == 303
    before = event_count(client)

    refused = post(client, budget(world) + "/expenses", an_expense(world))

    assert refused.status_code == 422
    assert "locked: a change needs an amendment" in refused.text
    assert event_count(client) == before


def test_two_versions_are_compared_side_by_side(
    client: TestClient, world: World
) -> None:
    planned(client, world)
    post(client, budget(world) + "/versions", {"kind": "application"})
    post(client, budget(world) + "/expenses", an_expense(world, amount="250"))

    page = client.get(budget(world) + "/versions?left=1&right=draft")

    assert page.status_code == 200
    assert "Version 1: Application" in page.text
    assert "€250.00" in page.text  # travel moved by 250
    assert "Grant over costs: 70%, then" in page.text


def test_a_comparison_asked_of_a_version_that_does_not_exist_shows_the_draft(
    client: TestClient, world: World
) -> None:
    planned(client, world)

    page = client.get(budget(world) + "/versions?left=99&right=abc")

    assert page.status_code == 200
    assert "No version filed yet" in page.text


def test_the_excel_export_holds_the_tables_and_the_lines(
    client: TestClient, world: World
) -> None:
    planned(client, world)

    response = client.get(f"/consortia/{world.consortium_id}/budget.xlsx")

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    plan, lines = workbook.worksheets
    cells = [c.value for row in plan.iter_rows() for c in row]
    assert "Lead Corp" in cells
    assert Decimal(1000) in [
        Decimal(str(c)) for c in cells if isinstance(c, int | float)
    ]
    assert [c.value for c in lines[2]][:3] == ["Expense", "Lead Corp", "Staff"]
    # Each commitment is listed with what it covers, not summed with the others.
    committed = [
        [c.value for c in row]
        for row in lines.iter_rows()
        if row[0].value == "Commitment"
    ]
    assert [(r[1], r[4], Decimal(str(r[7]))) for r in committed] == [
        ("Lead Corp", "Autofinancement", Decimal(300))
    ]


def test_the_history_tells_the_plan_in_words_in_english_and_french(
    client: TestClient, world: World
) -> None:
    planned(client, world)
    post(
        client,
        call_rules(world),
        {
            "max_funder_rate": "80",
            "indirect_base": "staff",
            "eligible_travel": "on",
            "eligible_staff": "on",
        },
    )
    page = client.get(budget(world))
    lines = re.findall(r"/budget/expenses/([0-9a-f-]{36})/withdraw", page.text)
    travel = list(dict.fromkeys(lines))[1]
    post(client, budget(world) + f"/expenses/{travel}/withdraw")
    post(client, budget(world) + "/versions", {"kind": "application"})

    english = client.get(f"/consortia/{world.consortium_id}/history").text
    client.cookies.set("lang", "fr")
    french = client.get(f"/consortia/{world.consortium_id}/history").text

    assert (
        "planned an expense of Lead Corp in the financing plan: Staff,"
        " “Chef de projet”, €500.00" in english
    )
    assert (
        "withdrew from the financing plan an expense of Lead Corp: Travel,"
        " “Déplacements”, €500.00" in english
    )
    assert "with a maximum grant rate of 80%" in english
    assert "filed version 1 of the financing plan (application)" in english
    assert "a prévu une dépense de Lead Corp dans le plan de financement" in french
    assert "a déposé la version 1 du plan de financement (candidature)" in french


def test_a_refusal_is_told_in_french_and_in_place_for_htmx(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    client.cookies.set("lang", "fr")
    before = event_count(client)

    refused = post(
        client,
        budget(world) + "/expenses",
        an_expense(world, amount="1000.005"),
        htmx=True,
    )

    assert refused.status_code == 422
    assert "<html" not in refused.text
    assert 'id="budget"' in refused.text
    assert "Utilisez au plus deux décimales." in refused.text
    assert event_count(client) == before
