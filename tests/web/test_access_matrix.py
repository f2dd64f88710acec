"""The access matrix: every page of the application, for every kind of visitor.

Each GET route has an entry saying what each role gets; a new route without one
fails ``test_every_page_has_an_entry_in_the_matrix``. Roles: an anonymous visitor,
a person of another consortium (the outsider), the consortium's coordinator,
member (representing a partner that is not the lead: the matrix's objects belong to
the lead, so this is "a member of partner A looking at partner B's things"), pilot
team and financer, and a platform administrator who is no member of it.

Expected answers: 200 shown, 303 sent to the login page, 403 refused (a member who
may see the consortium but not this), 404 not revealed.

A browser half-way through a login (right password, second factor awaited) gets, on
every page, what an anonymous visitor gets: only the code page is open to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from uuid import UUID

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from governance.actor import Actor
from governance.convention.values import DocumentKind
from governance.financing.statement_values import statement_id
from governance.financing.values import (
    CostCategory,
    Expense,
    PlanVersionKind,
    Resource,
    ResourceSource,
)
from governance.values import ContributionKind, Funding, Motion, Pledge, ReportKind
from governance.voting import DEFAULT_OPTIONS, VotingRule
from notifications.checkpoints import load_or_create_key, seal_checkpoint
from projections.indicators import indicators_of
from tests.support.builders import a_lesson
from tests.support.expenses import a_declared_expense, reporting_periods
from tests.support.webhooks import webhook_ids
from tests.web.conftest import (
    PASSWORD,
    World,
    csrf,
    csrf_of,
    event_count,
    login,
    password_step,
    stores_of,
)
from web.identity import totp

MEETING = date(2026, 3, 2)
ROLES = (
    "anonymous", "outsider", "coordinator", "member", "pilot", "financer", "admin"
)  # fmt: skip
MEMBERS = ("coordinator", "member", "pilot", "financer")
ADMIN_EMAIL = "platform-admin@test.example"

# What a consortium page answers by default: members see it, others do not (a
# platform administrator is no member: the consortium is not revealed to them).
SHOWN = {
    "anonymous": 303,
    "outsider": 404,
    "admin": 404,
    **dict.fromkeys(MEMBERS, 200),
}
# Pages only a coordinator uses (forms for changes the others may not make).
COORDINATORS_ONLY = {
    **SHOWN,
    "member": 403,
    "pilot": 403,
    "financer": 403,
}
# Pages of one's own account: any logged-in person.
OWN = {"anonymous": 303, **dict.fromkeys(("outsider", *MEMBERS, "admin"), 200)}
# Only platform administrators: the page is not revealed to anyone else.
ADMINS_ONLY = {
    "anonymous": 303,
    **dict.fromkeys(("outsider", *MEMBERS), 404),
    "admin": 200,
}
OPEN = dict.fromkeys(ROLES, 200)
# A secret in the address is the only key: a wrong one is not found, for anyone.
BY_SECRET = dict.fromkeys(ROLES, 404)

MEASUREMENT_PAGE = (
    "/consortia/{consortium_id}/indicators/{indicator_id}/measurements/{measurement_id}"
)

MATRIX: dict[str, dict[str, int]] = {
    # A logged-in person is sent on to their consortia.
    "/login": {"anonymous": 200, **dict.fromkeys(("outsider", *MEMBERS, "admin"), 303)},
    "/healthz": OPEN,
    "/source.tar.gz": OPEN,
    "/": dict.fromkeys(ROLES, 303),
    "/consortia": OWN,
    "/consortia/new": OWN,
    "/consortia/{consortium_id}": SHOWN,
    "/consortia/{consortium_id}/profile": COORDINATORS_ONLY,
    "/consortia/{consortium_id}/partners": SHOWN,
    "/consortia/{consortium_id}/partners/{partner_id}": SHOWN,
    "/consortia/{consortium_id}/partners/{partner_id}/withdraw": COORDINATORS_ONLY,
    "/consortia/{consortium_id}/members": SHOWN,
    "/consortia/{consortium_id}/members/{account_id}/revoke": COORDINATORS_ONLY,
    "/invitations/{token}": BY_SECRET,
    "/consortia/{consortium_id}/history": SHOWN,
    "/consortia/{consortium_id}/history.csv": SHOWN,
    "/consortia/{consortium_id}/history.jsonl": SHOWN,
    "/consortia/{consortium_id}/history.xlsx": SHOWN,
    "/consortia/{consortium_id}/audit-pack.zip": SHOWN,
    "/consortia/{consortium_id}/ledger": SHOWN,
    "/consortia/{consortium_id}/commitments/{commitment_id}": SHOWN,
    # The lead's commitment: the member represents another partner.
    "/consortia/{consortium_id}/commitments/{commitment_id}/withdraw": (
        COORDINATORS_ONLY
    ),
    "/consortia/{consortium_id}/ledger.csv": SHOWN,
    "/consortia/{consortium_id}/ledger.xlsx": SHOWN,
    "/consortia/{consortium_id}/evidence/{sha256}": SHOWN,
    "/consortia/{consortium_id}/bodies": SHOWN,
    "/consortia/{consortium_id}/bodies/{body_id}": COORDINATORS_ONLY,
    "/consortia/{consortium_id}/proposals": SHOWN,
    "/consortia/{consortium_id}/proposals/{proposal_id}": SHOWN,
    "/consortia/{consortium_id}/decisions": SHOWN,
    "/consortia/{consortium_id}/decisions.csv": SHOWN,
    "/consortia/{consortium_id}/decisions.pdf": SHOWN,
    "/consortia/{consortium_id}/reporting": SHOWN,
    "/consortia/{consortium_id}/reports/{obligation_id}": SHOWN,
    "/calendar": OWN,
    "/calendar/{token}.ics": BY_SECRET,
    "/consortia/{consortium_id}/indicators": SHOWN,
    "/consortia/{consortium_id}/indicators/{indicator_id}": SHOWN,
    # A value's own page holds the forms that correct or withdraw it: those who
    # report (the coordinator, the pilot team) open it.
    MEASUREMENT_PAGE: {**SHOWN, "member": 403, "financer": 403},
    "/notifications": OWN,
    "/portfolio": OWN,
    "/account": OWN,
    "/account/password": OWN,
    "/account/two-factor": OWN,
    "/account/export": OWN,
    "/account/erase": OWN,
    "/admin": ADMINS_ONLY,
    "/admin/accounts": ADMINS_ONLY,
    "/admin/accounts/erase": ADMINS_ONLY,
    "/admin/consortia": ADMINS_ONLY,
    "/admin/health": ADMINS_ONLY,
    "/password/forgot": OPEN,
    "/password/reset/{token}": BY_SECRET,
    # The second step of a login: only after a correct password (else back to login).
    "/login/code": dict.fromkeys(ROLES, 303),
    "/consortia/{consortium_id}/capitalisation": SHOWN,
    "/consortia/{consortium_id}/capitalisation.csv": SHOWN,
    "/consortia/{consortium_id}/capitalisation.json": SHOWN,
    "/consortia/{consortium_id}/capitalisation/{entry_id}": SHOWN,
    # Financers read the register; the others record, amend and withdraw.
    "/consortia/{consortium_id}/capitalisation/{entry_id}/withdraw": {
        **SHOWN,
        "financer": 403,
    },
    "/consortia/{consortium_id}/readiness": SHOWN,
    # The financing plan: everyone in the consortium reads it, a financer too.
    "/consortia/{consortium_id}/budget": SHOWN,
    "/consortia/{consortium_id}/budget/versions": SHOWN,
    "/consortia/{consortium_id}/budget.xlsx": SHOWN,
    # Amendments: everyone in the consortium reads them. The plan of ``things`` is
    # not signed, so it has no amendment: the id below is nobody's, not found for
    # anyone; a real one, and every amendment command, in test_amendment_access.py.
    "/consortia/{consortium_id}/budget/amendments": SHOWN,
    # The convention's documents, and each version's file: every member reads them.
    "/consortia/{consortium_id}/documents": SHOWN,
    "/consortia/{consortium_id}/documents/{document_id}/versions/{number}": SHOWN,
    "/consortia/{consortium_id}/budget/amendments/{amendment_id}": {
        **SHOWN,
        **dict.fromkeys(MEMBERS, 404),
    },
    # Expense statements: everyone in the consortium reads them, a financer too.
    "/consortia/{consortium_id}/expenses": SHOWN,
    "/consortia/{consortium_id}/expenses.xlsx": SHOWN,
    "/consortia/{consortium_id}/expenses/statements/{statement_id}": SHOWN,
    "/consortia/{consortium_id}/expenses/statements/{statement_id}/export.xlsx": SHOWN,
    "/consortia/{consortium_id}/expenses/documents/{sha256}": SHOWN,
    "/consortia/{consortium_id}/expenses/periods/{obligation_id}/export.xlsx": SHOWN,
    "/consortia/{consortium_id}/audit": SHOWN,
    "/consortia/{consortium_id}/audit/checkpoints/{checkpoint_id}.json": SHOWN,
    # The work plan: everyone in the consortium reads it, a financer too.
    "/consortia/{consortium_id}/workplan": SHOWN,
    "/consortia/{consortium_id}/workplan/deliverables/{deliverable_id}": SHOWN,
    "/consortia/{consortium_id}/workplan/files/{sha256}": SHOWN,
    # The funder's grant: everyone in the consortium reads it, and its export.
    "/consortia/{consortium_id}/funding": SHOWN,
    "/consortia/{consortium_id}/funding.xlsx": SHOWN,
    # The call's rules and the application file: everyone in the consortium reads.
    "/consortia/{consortium_id}/call": SHOWN,
    "/consortia/{consortium_id}/call/application-file.pdf": SHOWN,
    # The financial report: everyone in the consortium reads it and exports it.
    "/consortia/{consortium_id}/financial-report": SHOWN,
    "/consortia/{consortium_id}/financial-report/{scope}": SHOWN,
    "/consortia/{consortium_id}/financial-report/{scope}/report.pdf": SHOWN,
    "/consortia/{consortium_id}/financial-report/{scope}/report.xlsx": SHOWN,
    # Webhooks: a consortium's are its coordinators'; a portfolio's, its financer's.
    "/consortia/{consortium_id}/webhooks": COORDINATORS_ONLY,
    "/consortia/{consortium_id}/webhooks/{webhook_id}": COORDINATORS_ONLY,
    "/portfolio/webhooks": {
        "anonymous": 303,
        **dict.fromkeys(("outsider", "coordinator", "member", "pilot", "admin"), 403),
        "financer": 200,
    },
    "/portfolio/webhooks/{portfolio_webhook_id}": {
        "anonymous": 303,
        **dict.fromkeys(("outsider", "coordinator", "member", "pilot", "admin"), 403),
        "financer": 200,
    },
    # Personal access tokens: one's own; another's (or no) token is not found.
    "/account/tokens": OWN,
    "/account/tokens/{token_id}/revoke": {
        "anonymous": 303,
        **dict.fromkeys(("outsider", *MEMBERS, "admin"), 404),
    },
    "/account/api": OWN,
}


@dataclass(frozen=True)
class Things:
    """One of each thing a page can be about, all the lead partner's."""

    ids: dict[str, str]


@pytest.fixture
def things(client: TestClient, world: World, tmp_path: Path) -> Things:
    stores = stores_of(client)
    governance = stores.governance
    accounts = stores.accounts
    coordinator_account = accounts.by_email(world.emails["coordinator"])
    member_account = accounts.by_email(world.emails["member"])
    assert coordinator_account is not None
    assert member_account is not None
    coordinator = Actor(coordinator_account.account_id)
    accounts.create_account(
        ADMIN_EMAIL, "Platform Admin", PASSWORD, is_admin=True, now=datetime.now(UTC)
    )
    world.emails["admin"] = ADMIN_EMAIL
    commitment = governance.pledge(
        coordinator,
        world.consortium_id,
        world.lead_id,
        Pledge(
            ContributionKind.FINANCIAL,
            Decimal("5000"),
            date(2026, 1, 1),
            date(2026, 12, 31),
            "Pilotage",
            Funding.CO_FINANCING,
        ),
    ).id
    evidence = stores.evidence.save(BytesIO(b"%PDF-1.4\n%%EOF\n"), "preuve.pdf")
    governance.deliver(
        coordinator,
        UUID(commitment),
        delivered_on=date(2026, 3, 1),
        amount=Decimal("100"),
        description="Virement",
        evidence=evidence,
    )
    body = governance.establish_body(
        coordinator,
        world.consortium_id,
        name="COPIL",
        members={world.lead_id: 1, world.partner_id: 1},
        rule=VotingRule(),
    ).id
    proposal = governance.table_proposal(
        coordinator,
        world.consortium_id,
        body,
        Motion(
            "Charte",
            "Adopter.",
            DEFAULT_OPTIONS,
            "meeting",
            meeting_on=date(2026, 3, 2),
        ),
    ).id
    report = governance.schedule_report(
        coordinator,
        world.consortium_id,
        funder="Région",
        title="Bilan",
        kind=ReportKind.ACTIVITY_REPORT,
        responsible_id=None,
        due_on=date(2026, 6, 30),
    ).id
    entry = governance.record_capitalisation(
        coordinator, world.consortium_id, a_lesson()
    ).id
    line = governance.plan_expense(
        coordinator,
        world.consortium_id,
        Expense(world.lead_id, CostCategory.TRAVEL, "Déplacements", Decimal(800)),
    ).id
    resource = governance.plan_resource(
        coordinator,
        world.consortium_id,
        Resource(world.lead_id, ResourceSource.REQUESTED, Decimal(800)),
    ).id
    governance.file_plan_version(
        coordinator, world.consortium_id, PlanVersionKind.APPLICATION, []
    )
    package = governance.define_work_package(
        coordinator, world.consortium_id, code="WP1", title="Pilotage",
        lead_id=world.lead_id,
    ).id  # fmt: skip
    empty_package = governance.define_work_package(
        coordinator, world.consortium_id, code="WP2", title="Vide",
        lead_id=world.lead_id,
    ).id  # fmt: skip
    handed_in, still_due = (
        governance.plan_deliverable(
            coordinator,
            world.consortium_id,
            package_id=package,
            title=title,
            due_on=date(2026, 9, 30),
            responsible_id=world.lead_id,
        ).id
        for title in ("Étude", "Bilan")
    )
    # The delivery's file, handed in as a deliverable too: one {sha256} for both.
    governance.submit_deliverable(coordinator, world.consortium_id, handed_in, evidence)
    milestone = governance.plan_milestone(
        coordinator, world.consortium_id, package_id=package, title="Lancement",
        planned_on=date(2026, 2, 1),
    ).id  # fmt: skip
    document = governance.file_document(
        coordinator,
        world.consortium_id,
        DocumentKind.FUNDING_AGREEMENT,
        "Arrêté d'attribution",
        evidence,
    ).id
    # An expense of the lead, backed by the delivery's file, for the financial
    # report of the first half of 2026.
    periodic = reporting_periods(governance, coordinator, world.consortium_id, 1)
    governance.declare_expense(
        coordinator,
        world.consortium_id,
        periodic[0],
        world.lead_id,
        a_declared_expense(document=evidence),
    )
    statement = str(
        statement_id(str(world.consortium_id), str(periodic[0]), world.lead_id)
    )
    indicator = governance.define_indicator(
        coordinator, world.consortium_id, name="Lieux ouverts", unit="lieux",
        baseline=Decimal(0), target=Decimal(10), target_on=date(2027, 6, 30),
        measured_by="Équipe projet",
    ).id  # fmt: skip
    governance.measure_indicator(
        coordinator, UUID(indicator), Decimal(3), date(2026, 3, 1), "Relevé"
    )
    sealed = seal_checkpoint(
        governance, stores.read_side, load_or_create_key(tmp_path / "key.pem")
    )
    assert sealed is not None
    stores.read_side.catch_up()
    webhooks = webhook_ids(stores, world)
    with stores.read_side.engine.connect() as connection:
        (measured,) = indicators_of(connection, str(world.consortium_id))
    (value,) = measured.measurements
    return Things(
        {
            "consortium_id": str(world.consortium_id),
            "partner_id": world.lead_id,
            "account_id": member_account.account_id,
            "commitment_id": commitment,
            "sha256": evidence.sha256,
            "body_id": body,
            "proposal_id": proposal,
            "obligation_id": report,
            "checkpoint_id": sealed.id,
            "entry_id": entry,
            "line_id": line,
            "resource_line_id": resource,
            "package_id": package,
            "empty_package_id": empty_package,
            "deliverable_id": handed_in,
            "due_deliverable_id": still_due,
            "milestone_id": milestone,
            "amendment_id": "00000000-0000-4000-8000-000000000000",
            "document_id": document,
            "number": "1",
            "statement_id": statement,
            "indicator_id": indicator,
            "measurement_id": value.measurement_id,
            "token": "no-such-secret",
            "scope": str(periodic[0]),
            **webhooks,
            "token_id": "00000000-0000-4000-8000-000000000000",
        }
    )


def get_routes(client: TestClient) -> list[str]:
    return [
        r.path
        for r in client.app.routes  # type: ignore[attr-defined]
        if isinstance(r, Route) and r.methods and "GET" in r.methods
    ]


def concrete(path: str, things: Things) -> str:
    for name, value in things.ids.items():
        path = path.replace("{" + name + "}", value)
    return path


def test_every_page_has_an_entry_in_the_matrix(client: TestClient) -> None:
    missing = set(get_routes(client)) - set(MATRIX)
    assert not missing, f"add these routes to the access matrix: {sorted(missing)}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_matrix_says_on_every_page(
    client: TestClient, world: World, things: Things, role: str
) -> None:
    if role != "anonymous":
        login(client, world.emails[role])

    answers = {
        path: client.get(concrete(path, things), follow_redirects=False).status_code
        for path in get_routes(client)
    }

    wrong = {
        path: (status, MATRIX[path][role])
        for path, status in answers.items()
        if status != MATRIX[path][role]
    }
    assert not wrong, f"{role}: (got, expected) {wrong}"


def test_a_login_waiting_for_its_second_factor_opens_no_page(
    client: TestClient, world: World, things: Things
) -> None:
    email = world.emails["coordinator"]
    accounts = stores_of(client).accounts
    coordinator = accounts.by_email(email)
    assert coordinator is not None
    secret = accounts.start_second_factor(coordinator.account_id)
    assert accounts.use_code(
        coordinator.account_id,
        totp.code_at(secret, accounts.now()),
        enable=True,
    )
    assert password_step(client, email).headers["location"] == "/login/code"

    answers = {
        path: client.get(concrete(path, things), follow_redirects=False)
        for path in get_routes(client)
    }

    expected = {path: MATRIX[path]["anonymous"] for path in answers}
    expected["/login/code"] = 200
    wrong = {
        path: (response.status_code, expected[path])
        for path, response in answers.items()
        if response.status_code != expected[path]
    }
    assert not wrong, f"half-logged-in: (got, expected) {wrong}"
    for path, response in answers.items():
        if response.status_code == 303:
            assert response.headers["location"].startswith("/login"), path
    # Still waiting, and the code still opens the session.
    assert client.get("/login/code").status_code == 200


# Every query parameter a page reads (``request.query_params``), and hostile values
# for them: non-ASCII digits, numbers too long for an offset, impossible dates, the
# first and last days a date can hold (a day before or after them overflows), markup,
# a NUL byte, SQL, and a very long value.
QUERY_PARAMETERS = (
    "page", "older_than", "before", "month", "view", "area", "partner", "person",
    "since", "until", "kind", "status", "role", "q", "body", "outcome", "next",
    "done", "source", "on", "amount", "starts_on", "ends_on", "reason", "email",
    "left", "right", "automatic",
)  # fmt: skip
HOSTILE_VALUES = (
    "²",
    "99999999999999999999",
    "-1",
    "2026-13-45",
    "0001-01-01",
    "9999-12-31",
    "0001-01-02",
    "9999-12-30",
    '<script>alert("q")</script>',
    "\x00",
    "' OR 1=1 --",
    "9" * 2000,
)


def test_every_query_parameter_a_page_reads_is_in_the_hostile_list() -> None:
    import re

    source = "\n".join(p.read_text() for p in Path("web").rglob("*.py"))
    read = set(re.findall(r"query_params\.get\(\s*\"(\w+)\"", source))
    # A bare ``params`` (``params = request.query_params``), not an attribute such
    # as a history step's ``step.params``.
    read |= set(re.findall(r"(?<![\w.])params\.get\(\s*\"(\w+)\"", source))
    assert read <= set(QUERY_PARAMETERS), read - set(QUERY_PARAMETERS)


@pytest.mark.parametrize("role", ["coordinator", "financer", "admin"])
def test_hostile_query_strings_on_every_page_give_no_server_error(
    client: TestClient, world: World, things: Things, role: str
) -> None:
    login(client, world.emails[role])
    errors = []
    for path in get_routes(client):
        for value in HOSTILE_VALUES:
            response = client.get(
                concrete(path, things),
                params=dict.fromkeys(QUERY_PARAMETERS, value),
                follow_redirects=False,
            )
            if response.status_code >= 500:
                errors.append((path, value[:20], response.status_code))
            elif "<script>alert(" in response.text:
                errors.append((path, value[:20], "markup not escaped"))
    assert not errors, errors


def test_a_nul_character_in_the_address_is_a_bad_request(
    client: TestClient, world: World
) -> None:
    login(client, world.emails["coordinator"])
    partners = f"/consortia/{world.consortium_id}/partners"

    in_query = client.get(partners, params={"q": "a\x00b"})
    in_path = client.get(partners + "%00")
    plain = client.get(partners, params={"q": "a b"})

    assert in_query.status_code == 400
    assert "NUL character" in in_query.text
    assert in_path.status_code == 400
    assert plain.status_code == 200


# The financing plan's commands: the coordinator's; the others in the consortium are
# refused (403), an outsider learns nothing (404), an anonymous visitor logs in first.
PLAN_COMMANDS: dict[str, dict[str, str]] = {
    "/consortia/{consortium_id}/budget/expenses": {
        "partner_id": "{partner_id}",
        "category": "travel",
        "label": "Déplacements",
        "amount": "100",
    },
    "/consortia/{consortium_id}/budget/expenses/{line_id}/withdraw": {},
    "/consortia/{consortium_id}/budget/resources": {
        "partner_id": "{partner_id}",
        "source": "requested",
        "amount": "100",
    },
    "/consortia/{consortium_id}/budget/resources/{resource_line_id}/withdraw": {},
    "/consortia/{consortium_id}/budget/versions": {"kind": "convention"},
}
PLAN_ANSWERS = {**COORDINATORS_ONLY, "coordinator": 303}


def test_every_plan_command_is_in_this_matrix(client: TestClient) -> None:
    plan_posts = {
        r.path
        for r in client.app.routes  # type: ignore[attr-defined]
        if isinstance(r, Route)
        and r.methods
        and "POST" in r.methods
        and "/budget" in r.path
        and "/budget/amendments" not in r.path  # test_amendment_access.py
    }

    assert plan_posts == {
        path.replace("{resource_line_id}", "{line_id}") for path in PLAN_COMMANDS
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", PLAN_COMMANDS)
def test_only_the_coordinator_changes_the_financing_plan(
    client: TestClient, world: World, things: Things, role: str, path: str
) -> None:
    if role != "anonymous":
        login(client, world.emails[role])
    token = csrf_of(client.get("/login").text) if role == "anonymous" else csrf(client)
    before = event_count(client)
    data = {k: concrete(v, things) for k, v in PLAN_COMMANDS[path].items()}

    response = client.post(
        concrete(path, things),
        data={**data, "csrf_token": token},
        follow_redirects=False,
    )

    assert response.status_code == PLAN_ANSWERS[role], response.text[:300]
    assert (event_count(client) > before) is (role == "coordinator")


# The work plan's commands: the coordinator's, except a deliverable's submission (its
# partner's members too: the lead's here, which the member does not represent) and
# its review (the financer's). Outsiders learn nothing (404).
WORKPLAN = "/consortia/{consortium_id}/workplan"
WORKPLAN_COMMANDS: dict[str, dict[str, str]] = {
    WORKPLAN + "/packages": {
        "code": "WP9", "title": "Animation", "lead_id": "{partner_id}",
    },
    WORKPLAN + "/packages/{package_id}": {
        "code": "WP1", "title": "Pilotage général", "lead_id": "{partner_id}",
    },
    WORKPLAN + "/packages/{empty_package_id}/withdraw": {},
    WORKPLAN + "/deliverables": {
        "package_id": "{package_id}", "title": "Guide", "due_on": "2026-10-01",
        "responsible_id": "{partner_id}",
    },
    WORKPLAN + "/deliverables/{due_deliverable_id}/submit": {"note": "v1"},
    WORKPLAN + "/deliverables/{deliverable_id}/review": {
        "decision": "changes", "comment": "Précisez.",
    },
    WORKPLAN + "/milestones": {
        "package_id": "{package_id}", "title": "Bilan", "planned_on": "2026-06-01",
    },
    WORKPLAN + "/milestones/{milestone_id}/reached": {
        "reached_on": "2026-02-02", "note": "Tenu.",
    },
}  # fmt: skip
WORKPLAN_ANSWERS: dict[str, dict[str, int]] = {
    path: {**COORDINATORS_ONLY, "coordinator": 303} for path in WORKPLAN_COMMANDS
}
WORKPLAN_ANSWERS[WORKPLAN + "/deliverables/{deliverable_id}/review"] = {
    **SHOWN,
    "coordinator": 403,
    "member": 403,
    "pilot": 403,
    "financer": 303,
}


def test_every_work_plan_command_is_in_this_matrix(client: TestClient) -> None:
    posts = {
        r.path
        for r in client.app.routes  # type: ignore[attr-defined]
        if isinstance(r, Route)
        and r.methods
        and "POST" in r.methods
        and "/workplan" in r.path
    }

    assert posts == {
        path.replace("{empty_package_id}", "{package_id}").replace(
            "{due_deliverable_id}", "{deliverable_id}"
        )
        for path in WORKPLAN_COMMANDS
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", WORKPLAN_COMMANDS)
def test_each_role_changes_the_work_plan_as_the_matrix_says(
    client: TestClient, world: World, things: Things, role: str, path: str
) -> None:
    if role != "anonymous":
        login(client, world.emails[role])
    token = csrf_of(client.get("/login").text) if role == "anonymous" else csrf(client)
    before = event_count(client)
    data = {k: concrete(v, things) for k, v in WORKPLAN_COMMANDS[path].items()}
    files = (
        {"file": ("livrable.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}
        if path.endswith(("/submit", "/reached"))
        else None
    )

    response = client.post(
        concrete(path, things),
        data={**data, "csrf_token": token},
        files=files,
        follow_redirects=False,
    )

    expected = WORKPLAN_ANSWERS[path][role]
    assert response.status_code == expected, response.text[:300]
    assert (event_count(client) > before) is (expected == 303 and role != "anonymous")


# The grant's commands: the financer's alone; the others in the consortium are
# refused (403), an outsider learns nothing (404). In ``things`` the grant is not set
# up: the financer's payment and recovery pass the permission and are refused by the
# rule (422, "the funder has not set up the grant yet"), nothing stored.
FUNDING = "/consortia/{consortium_id}/funding"
FUNDING_COMMANDS: dict[str, dict[str, str]] = {
    FUNDING + "/grant": {"amount": "1000", "rate": "70", "advance": "100"},
    FUNDING + "/tranches/{line_id}/payments": {"amount": "10", "paid_on": "2026-03-01"},
    FUNDING + "/recoveries": {
        "amount": "10", "recovered_on": "2026-03-01", "reason": "Trop perçu",
    },
}  # fmt: skip
FINANCER_ONLY = {**COORDINATORS_ONLY, "coordinator": 403, "financer": 303}
FUNDING_ANSWERS: dict[str, dict[str, int]] = {
    FUNDING + "/grant": FINANCER_ONLY,
    FUNDING + "/tranches/{line_id}/payments": {**FINANCER_ONLY, "financer": 422},
    FUNDING + "/recoveries": {**FINANCER_ONLY, "financer": 422},
}


def test_every_funding_command_is_in_this_matrix(client: TestClient) -> None:
    posts = {
        r.path
        for r in client.app.routes  # type: ignore[attr-defined]
        if isinstance(r, Route)
        and r.methods
        and "POST" in r.methods
        and "/funding" in r.path
    }

    assert posts == {p.replace("{line_id}", "{tranche_id}") for p in FUNDING_COMMANDS}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", FUNDING_COMMANDS)
def test_only_the_financer_sets_up_the_grant_and_records_payments(
    client: TestClient, world: World, things: Things, role: str, path: str
) -> None:
    if role != "anonymous":
        login(client, world.emails[role])
    token = csrf_of(client.get("/login").text) if role == "anonymous" else csrf(client)
    before = event_count(client)

    response = client.post(
        concrete(path, things),
        data={**FUNDING_COMMANDS[path], "csrf_token": token},
        follow_redirects=False,
    )

    expected = FUNDING_ANSWERS[path][role]
    assert response.status_code == expected, response.text[:300]
    assert (event_count(client) > before) is (expected == 303 and role != "anonymous")


# The call's rules (which set the draft plan's funding rules): the coordinator's.
CALL_RULES = "/consortia/{consortium_id}/call/rules"


def test_every_call_command_is_in_this_matrix(client: TestClient) -> None:
    call_posts = {
        r.path
        for r in client.app.routes  # type: ignore[attr-defined]
        if isinstance(r, Route)
        and r.methods
        and "POST" in r.methods
        and "/call" in r.path
    }

    assert call_posts == {CALL_RULES}


@pytest.mark.parametrize("role", ROLES)
def test_only_the_coordinator_records_the_call_s_rules(
    client: TestClient, world: World, things: Things, role: str
) -> None:
    if role != "anonymous":
        login(client, world.emails[role])
    token = csrf_of(client.get("/login").text) if role == "anonymous" else csrf(client)
    before = event_count(client)

    response = client.post(
        concrete(CALL_RULES, things),
        data={
            "max_funder_rate": "70",
            "indirect_base": "staff",
            "eligible_travel": "on",
            "max_duration_months": "36",
            "csrf_token": token,
        },
        follow_redirects=False,
    )

    assert response.status_code == PLAN_ANSWERS[role], response.text[:300]
    assert (event_count(client) > before) is (role == "coordinator")


# The financial report's commands: the coordinator's; the others in the consortium
# are refused (403), an outsider learns nothing (404). The lead's statement is still
# a draft: the certification is refused on its form (422), nothing stored.
FINANCIAL_REPORT = "/consortia/{consortium_id}/financial-report/{scope}"
FINANCIAL_REPORT_COMMANDS: dict[str, tuple[dict[str, str], int]] = {
    FINANCIAL_REPORT + "/explanations": (
        {"category": "travel", "explanation": "Décalé."},
        303,
    ),
    FINANCIAL_REPORT + "/certify": (
        {"signatory": "Claire Fontaine", "capacity": "Présidente", "certify": "on"},
        422,
    ),
}


def test_every_financial_report_command_is_in_this_matrix(client: TestClient) -> None:
    posts = {
        r.path
        for r in client.app.routes  # type: ignore[attr-defined]
        if isinstance(r, Route)
        and r.methods
        and "POST" in r.methods
        and "/financial-report" in r.path
    }

    assert posts == set(FINANCIAL_REPORT_COMMANDS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", FINANCIAL_REPORT_COMMANDS)
def test_only_the_coordinator_explains_and_certifies_the_financial_report(
    client: TestClient, world: World, things: Things, role: str, path: str
) -> None:
    if role != "anonymous":
        login(client, world.emails[role])
    token = csrf_of(client.get("/login").text) if role == "anonymous" else csrf(client)
    before = event_count(client)
    data, coordinator_gets = FINANCIAL_REPORT_COMMANDS[path]

    response = client.post(
        concrete(path, things),
        data={**data, "csrf_token": token},
        follow_redirects=False,
    )

    expected = {**COORDINATORS_ONLY, "coordinator": coordinator_gets}[role]
    assert response.status_code == expected, response.text[:300]
    assert (event_count(client) > before) is (expected == 303 and role != "anonymous")
