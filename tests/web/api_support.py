"""What the API tests share: a consortium with one thing of each kind, and tokens
for every role and scope (made through the token store the account page uses)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from uuid import UUID

from starlette.testclient import TestClient

from governance.actor import Actor
from governance.values import ContributionKind, Funding, Motion, Pledge, ReportKind
from governance.voting import DEFAULT_OPTIONS, VotingRule
from tests.web.conftest import World, stores_of
from web.identity.api_tokens import READ, WRITE

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
ROLES = ("coordinator", "member", "pilot", "financer", "outsider", "nobody")


@dataclass(frozen=True)
class ApiWorld:
    """The world's consortium, one thing of each kind, and tokens by role."""

    world: World
    ids: dict[str, str]
    # (role, scope) → secret; scope "read", "write" or "other" (a write token
    # made for another consortium than the world's).
    tokens: dict[tuple[str, str], str]

    def auth(self, role: str, scope: str = WRITE) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[(role, scope)]}"}


def build_api_world(client: TestClient, world: World) -> ApiWorld:
    stores = stores_of(client)
    g = stores.governance
    accounts = stores.accounts
    known = [role for role in ROLES if role != "nobody"]
    people = {role: accounts.by_email(world.emails[role]) for role in known}
    ids = {role: p.account_id for role, p in people.items() if p is not None}
    # A person with no role in any consortium.
    ids["nobody"] = accounts.create_account(
        "nobody@test.example", "Nobody", "correct horse battery", now=datetime.now(UTC)
    ).account_id
    coordinator = Actor(ids["coordinator"])
    cid = world.consortium_id
    commitment = g.pledge(
        coordinator,
        cid,
        world.partner_id,
        Pledge(
            ContributionKind.FINANCIAL,
            Decimal("5000"),
            date(2026, 1, 1),
            date(2026, 12, 31),
            "Pilotage",
            Funding.CO_FINANCING,
        ),
    ).id
    evidence = stores.evidence.save(BytesIO(PDF), "preuve.pdf")
    g.deliver(
        coordinator,
        UUID(commitment),
        delivered_on=date(2026, 3, 1),
        amount=Decimal("100"),
        description="Virement",
        evidence=evidence,
    )
    body = g.establish_body(
        coordinator,
        cid,
        name="COPIL",
        members={world.lead_id: 1, world.partner_id: 1},
        rule=VotingRule(),
    ).id
    proposal = g.table_proposal(
        coordinator,
        cid,
        body,
        Motion(
            "Charte",
            "Adopter la charte.",
            DEFAULT_OPTIONS,
            "written",
            closes_at=datetime.now(UTC) + timedelta(days=3),
        ),
    ).id
    obligation = g.schedule_report(
        coordinator,
        cid,
        funder="Région",
        title="Bilan",
        kind=ReportKind.ACTIVITY_REPORT,
        responsible_id=None,
        due_on=date(2026, 6, 30),
    ).id
    indicator = g.define_indicator(
        coordinator,
        cid,
        name="Personnes aidées",
        unit="personnes",
        baseline=Decimal("0"),
        target=Decimal("100"),
        target_on=date(2027, 12, 31),
        measured_by="Comptage",
    ).id
    stores.read_side.catch_up()
    with stores.read_side.engine.connect() as connection:
        from projections.consortia import consortia_of

        elsewhere = consortia_of(connection, ids["outsider"])[0].consortium_id
    now = datetime.now(UTC)
    tokens: dict[tuple[str, str], str] = {}
    for role in ROLES:
        for scope in (READ, WRITE):
            tokens[(role, scope)] = accounts.api_tokens.create(
                ids[role], name=f"{role} {scope}", scope=scope, consortium_id=None,
                now=now,
            )[0]  # fmt: skip
        tokens[(role, "other")] = accounts.api_tokens.create(
            ids[role], name=f"{role} other", scope=WRITE, consortium_id=elsewhere,
            now=now,
        )[0]  # fmt: skip
    return ApiWorld(
        world,
        {
            "consortium_id": str(cid),
            "commitment_id": commitment,
            "sha256": evidence.sha256,
            "body_id": body,
            "proposal_id": proposal,
            "obligation_id": obligation,
            "indicator_id": indicator,
            "partner_id": world.partner_id,
            "elsewhere": elsewhere,
        },
        tokens,
    )
