"""Who may do what with amendments, through the pages: every member reads them; the
coordinator drafts, builds and proposes; the financer, and nobody else, approves or
refuses. The others in the consortium are refused (403), an outsider learns nothing
(404), an anonymous visitor logs in first (303); a refused command stores nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from governance.actor import Actor
from governance.financing.changes import AmendmentKind
from governance.financing.values import (
    CostCategory,
    Expense,
    PlanVersionKind,
    Resource,
    ResourceSource,
)
from tests.web.conftest import (
    PASSWORD,
    World,
    csrf,
    csrf_of,
    event_count,
    login,
    stores_of,
)

ROLES = (
    "anonymous", "outsider", "coordinator", "member", "pilot", "financer", "admin"
)  # fmt: skip
ADMIN_EMAIL = "platform-admin@test.example"
BASE = "/consortia/{consortium_id}/budget/amendments"
NOT_MEMBERS = {"anonymous": 303, "outsider": 404, "admin": 404}
SHOWN = {
    **NOT_MEMBERS,
    **dict.fromkeys(("coordinator", "member", "pilot", "financer"), 200),
}
BY_COORDINATOR = {
    **NOT_MEMBERS,
    "coordinator": 303,
    **dict.fromkeys(("member", "pilot", "financer"), 403),
}
BY_FINANCER = {
    **NOT_MEMBERS,
    "financer": 303,
    **dict.fromkeys(("coordinator", "member", "pilot"), 403),
}
EXPENSE = {
    "partner_id": "{partner_id}",
    "category": "travel",
    "label": "Trajets",
    "amount": "100",
}
COMMANDS: dict[str, tuple[dict[str, str], dict[str, int]]] = {
    BASE: ({"kind": "period_extension", "reason": "Retard."}, BY_COORDINATOR),
    BASE + "/{draft_id}/expenses": (EXPENSE, BY_COORDINATOR),
    BASE + "/{draft_id}/resources": (
        {"partner_id": "{partner_id}", "source": "requested", "amount": "100"},
        BY_COORDINATOR,
    ),
    BASE + "/{draft_id}/lines/{line_id}/withdraw": ({}, BY_COORDINATOR),
    BASE + "/{draft_id}/changes/{added_id}/drop": ({}, BY_COORDINATOR),
    BASE + "/{draft_id}/period": ({"eligible_until": "2030-12-31"}, BY_COORDINATOR),
    BASE + "/{draft_id}/propose": ({}, BY_COORDINATOR),
    BASE + "/{proposed_id}/approve": ({"reason": "Conforme."}, BY_FINANCER),
    BASE + "/{proposed_id}/refuse": ({"reason": "Hors cadre."}, BY_FINANCER),
}


@dataclass(frozen=True)
class Amendable:
    """A signed plan; a draft amendment with one line added; a proposed one."""

    ids: dict[str, str]

    def concrete(self, text: str) -> str:
        for name, value in self.ids.items():
            text = text.replace("{" + name + "}", value)
        return text


@pytest.fixture
def amendable(client: TestClient, world: World) -> Amendable:
    stores = stores_of(client)
    governance, accounts = stores.governance, stores.accounts
    accounts.create_account(
        ADMIN_EMAIL, "Platform Admin", PASSWORD, is_admin=True, now=datetime.now(UTC)
    )
    world.emails["admin"] = ADMIN_EMAIL
    found = accounts.by_email(world.emails["coordinator"])
    assert found is not None
    coordinator, cid = Actor(found.account_id), world.consortium_id
    travel = Expense(world.lead_id, CostCategory.TRAVEL, "Déplacements", Decimal(800))
    line = governance.plan_expense(coordinator, cid, travel).id
    governance.plan_resource(
        coordinator,
        cid,
        Resource(world.lead_id, ResourceSource.REQUESTED, Decimal(800)),
    )
    for kind in (PlanVersionKind.APPLICATION, PlanVersionKind.CONVENTION):
        governance.file_plan_version(coordinator, cid, kind, [])
    draft = governance.draft_amendment(
        coordinator, cid, AmendmentKind.BUDGET_REALLOCATION, "Réaffectation."
    ).id
    added = governance.add_amendment_expense(coordinator, cid, UUID(draft), travel).id
    proposed = governance.draft_amendment(
        coordinator, cid, AmendmentKind.BUDGET_REALLOCATION, "Autre."
    ).id
    governance.add_amendment_expense(coordinator, cid, UUID(proposed), travel)
    governance.propose_amendment(coordinator, cid, UUID(proposed))
    stores.read_side.catch_up()
    return Amendable(
        {
            "consortium_id": str(cid),
            "partner_id": world.lead_id,
            "line_id": line,
            "draft_id": draft,
            "added_id": added,
            "proposed_id": proposed,
        }
    )


def test_every_amendment_command_is_in_this_matrix(client: TestClient) -> None:
    posts = {
        r.path
        for r in client.app.routes  # type: ignore[attr-defined]
        if isinstance(r, Route)
        and r.methods
        and "POST" in r.methods
        and r.path.startswith(BASE)
    }
    named = {
        path.replace("{draft_id}", "{amendment_id}")
        .replace("{proposed_id}", "{amendment_id}")
        .replace("{added_id}", "{line_id}")
        for path in COMMANDS
    }

    assert posts == named


@pytest.mark.parametrize("role", ROLES)
def test_every_member_reads_an_amendment_and_nobody_else(
    client: TestClient, world: World, amendable: Amendable, role: str
) -> None:
    if role != "anonymous":
        login(client, world.emails[role])

    for path in (BASE, BASE + "/{draft_id}", BASE + "/{proposed_id}"):
        page = client.get(amendable.concrete(path), follow_redirects=False)
        assert page.status_code == SHOWN[role], (path, page.status_code)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", COMMANDS)
def test_only_the_coordinator_builds_and_only_the_financer_decides(
    client: TestClient, world: World, amendable: Amendable, role: str, path: str
) -> None:
    if role != "anonymous":
        login(client, world.emails[role])
    token = csrf_of(client.get("/login").text) if role == "anonymous" else csrf(client)
    before = event_count(client)
    form, answers = COMMANDS[path]
    data = {k: amendable.concrete(v) for k, v in form.items()}

    response = client.post(
        amendable.concrete(path),
        data={**data, "csrf_token": token},
        follow_redirects=False,
    )

    assert response.status_code == answers[role], response.text[:300]
    assert (event_count(client) > before) is (
        answers[role] == 303 and role != "anonymous"
    )
