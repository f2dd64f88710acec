"""The arithmetic of a financing plan: totals per partner, category and source.

Pure functions of a ``PlanContent`` (the draft, or a filed version), so a page, an
export and a comparison of versions all add up the same way. Indirect costs are the
call's flat rate of each partner's base (staff, or every eligible direct cost),
rounded to the cent. Contributions in kind are valued on both sides (an expense and a
resource of the same amount) and left out of the costs the funder's rate is computed
on: they are valued, not spent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from governance.financing.values import (
    HUNDRED,
    CommittedContribution,
    CostCategory,
    IndirectBase,
    PlanContent,
    ResourceSource,
    to_cents,
)
from governance.values import ContributionKind, Funding

ZERO = Decimal(0)


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percent of ``whole``, to two decimals (None when whole is 0)."""
    return to_cents(part * HUNDRED / whole) if whole else None


@dataclass(frozen=True)
class PartnerFigures:
    """One partner's side of the plan."""

    partner_id: str
    costs: dict[CostCategory, Decimal] = field(default_factory=dict)
    in_kind: Decimal = ZERO
    resources: dict[ResourceSource, Decimal] = field(default_factory=dict)
    requested_in_ledger: Decimal = ZERO
    unvalued: int = 0
    """Co-financing commitments of staff time without a daily rate (not counted)."""

    @property
    def total_costs(self) -> Decimal:
        """What the partner spends: every category, indirect costs included."""
        return _sum(self.costs.values())

    @property
    def total_expenses(self) -> Decimal:
        """Costs plus contributions in kind: the expense side's total."""
        return self.total_costs + self.in_kind

    @property
    def total_resources(self) -> Decimal:
        return _sum(self.resources.values())

    @property
    def requested(self) -> Decimal:
        return self.resources.get(ResourceSource.REQUESTED, ZERO)

    @property
    def funder_rate(self) -> Decimal | None:
        """The grant requested over the partner's costs, in percent."""
        return share(self.requested, self.total_costs)

    def cost(self, category: CostCategory) -> Decimal:
        return self.costs.get(category, ZERO)

    def resource(self, source: ResourceSource) -> Decimal:
        return self.resources.get(source, ZERO)


@dataclass(frozen=True)
class PlanFigures:
    """The plan's totals: per partner, and for the whole project."""

    partners: tuple[PartnerFigures, ...]

    @property
    def total_costs(self) -> Decimal:
        return _sum(p.total_costs for p in self.partners)

    @property
    def in_kind(self) -> Decimal:
        return _sum(p.in_kind for p in self.partners)

    @property
    def total_expenses(self) -> Decimal:
        return _sum(p.total_expenses for p in self.partners)

    @property
    def total_resources(self) -> Decimal:
        return _sum(p.total_resources for p in self.partners)

    @property
    def requested(self) -> Decimal:
        return _sum(p.requested for p in self.partners)

    @property
    def funder_rate(self) -> Decimal | None:
        """The grant requested over the project's costs, in percent."""
        return share(self.requested, self.total_costs)

    @property
    def cofinancing(self) -> Decimal:
        """Every resource but this funder's grant and contributions in kind."""
        return _sum(
            p.total_resources - p.requested - p.resource(ResourceSource.IN_KIND)
            for p in self.partners
        )

    @property
    def balance(self) -> Decimal:
        """Resources minus expenses: zero when the plan is balanced."""
        return self.total_resources - self.total_expenses

    def cost(self, category: CostCategory) -> Decimal:
        return _sum(p.cost(category) for p in self.partners)

    def resource(self, source: ResourceSource) -> Decimal:
        return _sum(p.resource(source) for p in self.partners)

    def partner(self, partner_id: str) -> PartnerFigures | None:
        return next((p for p in self.partners if p.partner_id == partner_id), None)


def _add(totals: dict[CostCategory, Decimal], key: CostCategory, x: Decimal) -> None:
    totals[key] = totals.get(key, ZERO) + x


def _indirect(content: PlanContent, costs: dict[CostCategory, Decimal]) -> Decimal:
    rules = content.rules
    if rules.indirect_rate is None:
        return ZERO
    if rules.indirect_base is IndirectBase.STAFF:
        base = (
            costs.get(CostCategory.STAFF, ZERO)
            if rules.eligible(CostCategory.STAFF)
            else ZERO
        )
    else:
        base = _sum(x for c, x in costs.items() if rules.eligible(c))
    return to_cents(base * rules.indirect_rate / HUNDRED)


def _counted(contribution: CommittedContribution) -> tuple[ResourceSource, Decimal]:
    """Where a co-financing commitment goes on the resource side, and how much."""
    source = (
        ResourceSource.OWN_FUNDS
        if contribution.kind is ContributionKind.FINANCIAL
        else ResourceSource.IN_KIND
    )
    return source, contribution.euros or ZERO


def _partner(content: PlanContent, partner_id: str) -> PartnerFigures:
    costs: dict[CostCategory, Decimal] = {}
    for line in content.expenses:
        if line.partner_id == partner_id:
            _add(costs, line.category, line.amount)
    indirect = _indirect(content, costs)
    if indirect:
        costs[CostCategory.INDIRECT] = indirect
    resources: dict[ResourceSource, Decimal] = {}
    for resource in content.resources:
        if resource.partner_id == partner_id:
            resources[resource.source] = (
                resources.get(resource.source, ZERO) + resource.amount
            )
    in_kind = requested = ZERO
    unvalued = 0
    for c in content.contributions:
        if c.partner_id != partner_id:
            continue
        if c.funding is Funding.REQUESTED:
            requested += c.euros or ZERO
            continue
        if c.euros is None:
            unvalued += 1
            continue
        source, euros = _counted(c)
        resources[source] = resources.get(source, ZERO) + euros
        if source is ResourceSource.IN_KIND:
            in_kind += euros
    return PartnerFigures(
        partner_id,
        {c: costs[c] for c in CostCategory if c in costs},
        in_kind,
        {s: resources[s] for s in ResourceSource if s in resources},
        requested,
        unvalued,
    )


def partners_in(content: PlanContent) -> list[str]:
    """Every partner the plan mentions, in the order they first appear."""
    ids = [line.partner_id for line in content.expenses]
    ids += [line.partner_id for line in content.resources]
    ids += [c.partner_id for c in content.contributions]
    return list(dict.fromkeys(ids))


def plan_figures(content: PlanContent, partner_ids: Iterable[str] = ()) -> PlanFigures:
    """The figures of a plan, one line per partner: ``partner_ids`` first (in that
    order), then any other partner the plan mentions."""
    ordered = list(dict.fromkeys([*partner_ids, *partners_in(content)]))
    return PlanFigures(tuple(_partner(content, p) for p in ordered))
