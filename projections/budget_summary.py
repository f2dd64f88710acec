"""A consortium's financing plan as its pages show it: the draft (with the partners'
commitments from the ledger), each filed version, and for each its figures and
checks.

Own funds and contributions in kind are never typed in the plan: they are the
partners' co-financing commitments, read here from the ledger (a withdrawn
commitment, or one of a withdrawn partner, counts for nothing), valued as the service
values them when it files a version (``committed_euros``).

The pages count them from the ledger's kept sums (``budget_of``), one line per
partner, kind and funding, whatever the ledger's length; the export, which lists
each commitment, reads them one by one (``itemised_budget_of``). Both give the same
figures and checks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import Connection

from governance.financing.checks import PlanPartner, plan_checks
from governance.financing.figures import PlanFigures, plan_figures
from governance.financing.values import (
    CommittedContribution,
    PlanContent,
    PlanVersionKind,
    committed_euros,
)
from governance.warnings import Warning
from projections.budget import VersionRow, draft_of, versions_of
from projections.committed_sums import CommittedSum, committed_sums_of
from projections.ledger import CommitmentRow, commitments_of
from projections.ledger_summary import is_withdrawn
from projections.partners import PartnerRow, partners_of


@dataclass(frozen=True)
class PlanState:
    """A plan's content with its figures and what the checks say of it."""

    content: PlanContent
    figures: PlanFigures
    checks: tuple[Warning, ...]

    @property
    def empty(self) -> bool:
        return not self.content.expenses and not self.content.resources


@dataclass(frozen=True)
class Budget:
    """The financing plan's page: the draft, the versions, the partners."""

    draft: PlanState
    versions: tuple[VersionRow, ...]
    partners: tuple[PartnerRow, ...]

    @property
    def locked(self) -> bool:
        """The convention's version is filed: changes need an amendment."""
        return any(v.kind is PlanVersionKind.CONVENTION for v in self.versions)

    @property
    def names(self) -> dict[str, str]:
        return {p.partner_id: p.name for p in self.partners}

    def filed(self, kind: PlanVersionKind) -> bool:
        return any(v.kind is kind for v in self.versions)

    def version(self, number: int) -> VersionRow | None:
        return next((v for v in self.versions if v.number == number), None)


def contributions_from(
    partners: list[PartnerRow], commitments: list[CommitmentRow]
) -> tuple[CommittedContribution, ...]:
    """The standing commitments, valued, as the plan counts them."""
    by_id = {p.partner_id: p for p in partners}
    return tuple(
        CommittedContribution(
            c.commitment_id,
            c.partner_id,
            c.kind,
            c.funding,
            committed_euros(c.kind, c.amount, c.daily_rate),
            c.covers,
        )
        for c in commitments
        if not is_withdrawn(c, by_id.get(c.partner_id))
    )


def contributions_summed(
    partners: list[PartnerRow], sums: list[CommittedSum]
) -> tuple[CommittedContribution, ...]:
    """The standing commitments as the plan counts them, grouped: a line per partner,
    kind and funding with what its valued commitments are worth, and a line worth
    None for each staff-time pledge without a rate (no commitment id, no
    description: the figures need neither)."""
    active = {p.partner_id: p.active for p in partners}
    grouped: list[CommittedContribution] = []
    for s in sums:
        if not active.get(s.partner_id, True):
            continue
        if s.valued_count:
            grouped.append(
                CommittedContribution("", s.partner_id, s.kind, s.funding, s.valued_eur)
            )
        grouped += [
            CommittedContribution("", s.partner_id, s.kind, s.funding, None)
        ] * s.unvalued_count
    return tuple(grouped)


def assess(content: PlanContent, partners: tuple[PartnerRow, ...]) -> PlanState:
    """A plan's figures (active partners first, in their order) and its checks."""
    figures = plan_figures(content, [p.partner_id for p in partners if p.active])
    known = {p.partner_id: PlanPartner(p.name, p.active) for p in partners}
    return PlanState(content, figures, tuple(plan_checks(content, figures, known)))


def _budget(
    connection: Connection,
    consortium_id: str,
    partners: list[PartnerRow],
    contributions: tuple[CommittedContribution, ...],
) -> Budget:
    draft = replace(draft_of(connection, consortium_id), contributions=contributions)
    return Budget(
        assess(draft, tuple(partners)),
        tuple(versions_of(connection, consortium_id)),
        tuple(partners),
    )


def budget_of(connection: Connection, consortium_id: str) -> Budget:
    """Everything the budget pages show of a consortium's plan, the draft's
    commitments grouped (``contributions_summed``)."""
    partners = partners_of(connection, consortium_id)
    sums = committed_sums_of(connection, consortium_id)
    return _budget(
        connection, consortium_id, partners, contributions_summed(partners, sums)
    )


def itemised_budget_of(connection: Connection, consortium_id: str) -> Budget:
    """The plan as ``budget_of`` gives it, the draft listing each standing
    commitment (its id and what it covers)."""
    partners = partners_of(connection, consortium_id)
    commitments = commitments_of(connection, consortium_id)
    return _budget(
        connection, consortium_id, partners, contributions_from(partners, commitments)
    )
