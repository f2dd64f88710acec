"""Concurrent writers on one consortium, one proposal and one commitment (R1).

Each writer loops until its deadline, issuing in turn: a change of a partner's axis
(the Consortium aggregate), a vote or a change of vote (the Proposal) and an
amendment (the Commitment). Every command carries a unique mark (the axis, the
vote's reason, the amendment's reason) so that the stored events can be matched to
the commands that were acknowledged. A ``Conflict`` is retried; any other error is
kept to fail the test. The same function runs in threads and in processes.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from governance.actor import Actor
from governance.application import Governance
from governance.errors import Conflict
from governance.values import (
    ContributionKind,
    Funding,
    MemberRole,
    Motion,
    Paper,
    PartnerIdentity,
    PartnerKind,
    PartnerRole,
    Pledge,
)
from governance.voting import DEFAULT_OPTIONS, Majority, VotingRule
from tests.support.builders import a_call, person_in_role
from web.ops.storage import open_stores
from web.settings import Settings

KINDS = ("axis", "vote", "amend")
ATTEMPTS = 50


@dataclass(frozen=True)
class Plan:
    """What the writers act on (picklable, for processes)."""

    consortium_id: str
    proposal_id: str
    commitment_id: str
    coordinator_id: str
    partners: tuple[str, ...]
    voters: tuple[str, ...]  # voters[i] represents partners[i]


@dataclass
class Tally:
    """What one writer saw: acknowledged marks, conflicts, give-ups, errors."""

    acknowledged: dict[str, list[str]] = field(
        default_factory=lambda: {kind: [] for kind in KINDS}
    )
    conflicts: Counter[str] = field(default_factory=Counter)
    gave_up: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def merge(self, other: Tally) -> None:
        for kind in KINDS:
            self.acknowledged[kind] += other.acknowledged[kind]
        self.conflicts.update(other.conflicts)
        self.gave_up.update(other.gave_up)
        self.errors += other.errors


def _command(
    governance: Governance, plan: Plan, kind: str, worker: int, i: int
) -> None:
    mark = f"w{worker}-{i}"
    slot = worker % len(plan.partners)
    if kind == "axis":
        governance.change_partner_axis(
            Actor(plan.coordinator_id),
            UUID(plan.consortium_id),
            plan.partners[slot],
            mark,
        )
    elif kind == "vote":
        governance.cast_vote(
            Actor(plan.voters[slot]),
            UUID(plan.proposal_id),
            plan.partners[slot],
            ("for", "against", "abstain")[i % 3],
            mark,
        )
    else:
        governance.amend_commitment(
            Actor(plan.coordinator_id),
            UUID(plan.commitment_id),
            amount=Decimal(2_000 + worker * 1_000_000 + i),
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            reason=mark,
        )


def hammer(governance: Governance, plan: Plan, worker: int, seconds: float) -> Tally:
    """Issue commands until ``seconds`` have passed; retry each on ``Conflict``."""
    tally = Tally()
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline:
        kind = KINDS[(worker + i) % len(KINDS)]
        for _ in range(ATTEMPTS):
            try:
                _command(governance, plan, kind, worker, i)
            except Conflict:
                tally.conflicts[kind] += 1
                continue
            except Exception as error:  # every other error fails the test
                tally.errors.append(f"{kind}: {error!r}")
                break
            tally.acknowledged[kind].append(f"w{worker}-{i}")
            break
        else:
            tally.gave_up[kind] += 1
        i += 1
    return tally


def hammer_in_process(
    settings: Settings, plan: Plan, worker: int, seconds: float
) -> Tally:
    """``hammer`` in a process of its own, with stores of its own."""
    stores = open_stores(settings, create_tables=False)
    try:
        return hammer(stores.governance, plan, worker, seconds)
    finally:
        stores.close()


def a_plan(governance: Governance, coordinator_id: str = "acc-coordinator") -> Plan:
    """A consortium of three partners, each with a voter, a body, an open written
    vote and a commitment."""
    coordinator = Actor(coordinator_id)
    cid = UUID(
        governance.found_consortium(
            coordinator,
            name="Contended",
            acronym="",
            summary="",
            territory="",
            call=a_call(),
            founded_on=date(2026, 1, 5),
        ).id
    )
    partners = tuple(
        governance.admit_partner(
            coordinator,
            cid,
            PartnerIdentity(f"Partner {n}", PartnerKind.COMPANY),
            role=PartnerRole.LEAD if n == 0 else PartnerRole.PARTNER,
            axis="",
            paper=Paper.NONE,
            paper_signed_on=None,
            joined_on=date(2026, 1, 6),
        ).id
        for n in range(3)
    )
    voters = tuple(f"acc-voter-{n}" for n in range(3))
    for voter, partner in zip(voters, partners, strict=True):
        person_in_role(governance, coordinator, cid, voter, MemberRole.MEMBER, partner)
    rule = VotingRule(Decimal("0.5"), False, Majority.SIMPLE, 0)
    body = governance.establish_body(
        coordinator, cid, name="COPIL", members=dict.fromkeys(partners, 1), rule=rule
    )
    proposal = governance.table_proposal(
        coordinator,
        cid,
        body.id,
        Motion(
            "Budget",
            "",
            DEFAULT_OPTIONS,
            "written",
            closes_at=datetime.now(UTC) + timedelta(days=7),
        ),
    )
    commitment = governance.pledge(
        coordinator,
        cid,
        partners[1],
        Pledge(
            ContributionKind.FINANCIAL,
            Decimal("1000"),
            date(2026, 1, 1),
            date(2026, 12, 31),
            "",
            Funding.CO_FINANCING,
        ),
    )
    return Plan(
        str(cid), proposal.id, commitment.id, coordinator.account_id, partners, voters
    )
