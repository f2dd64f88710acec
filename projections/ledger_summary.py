"""Totals of the contributions ledger: per partner, per kind, and over time.

Pure reshaping of ledger and partner rows: sums, shares and a monthly cumulative
series for the dashboard, and the facts the warning rules read. A withdrawn partner's
commitments count as withdrawn from its withdrawal date; what it delivered stays.

Pages build them from the totals the projection keeps (``summary_of``,
``facts_of``); ``summarise`` and ``warning_facts`` compute the same from every row,
for the exports, which hold every row anyway, and as the reference the kept totals
are tested against.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from governance.values import ContributionKind, Funding, Unit
from governance.warnings import CommitmentFacts, PartnerFacts
from projections.ledger import CommitmentRow, ContributionRow
from projections.ledger_totals import TotalsRow
from projections.partners import PartnerRow

ZERO = Decimal(0)
Series = tuple[tuple[date, Decimal], ...]


@dataclass(frozen=True)
class Totals:
    """Pledged and delivered, in euros (valued) and in person-days."""

    pledged_eur: Decimal = ZERO
    delivered_eur: Decimal = ZERO
    pledged_days: Decimal = ZERO
    delivered_days: Decimal = ZERO

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.pledged_eur + other.pledged_eur,
            self.delivered_eur + other.delivered_eur,
            self.pledged_days + other.pledged_days,
            self.delivered_days + other.delivered_days,
        )

    @property
    def delivery_rate(self) -> Decimal | None:
        """Delivered over pledged, in euros (None when nothing is pledged)."""
        return self.delivered_eur / self.pledged_eur if self.pledged_eur else None


@dataclass(frozen=True)
class PartnerTotals:
    """One partner's line of the dashboard."""

    partner_id: str
    name: str
    active: bool
    totals: Totals
    commitment_count: int


@dataclass(frozen=True)
class KindTotals:
    """One kind of contribution's line of the dashboard, in its own unit too."""

    kind: ContributionKind
    unit: Unit
    pledged: Decimal
    delivered: Decimal
    totals: Totals


@dataclass(frozen=True)
class LedgerSummary:
    """Everything the contributions dashboard shows."""

    partners: tuple[PartnerTotals, ...]
    kinds: tuple[KindTotals, ...]
    totals: Totals
    largest: PartnerTotals | None
    largest_share: Decimal | None
    over_time: Series


def is_withdrawn(commitment: CommitmentRow, partner: PartnerRow | None) -> bool:
    """Withdrawn itself, or with its partner."""
    return commitment.withdrawn or (partner is not None and not partner.active)


def _totals(commitment: CommitmentRow, withdrawn: bool) -> Totals:
    pledged = ZERO if withdrawn else commitment.amount
    in_days = commitment.unit is Unit.PERSON_DAY
    return Totals(
        pledged_eur=commitment.in_euros(pledged) or ZERO,
        delivered_eur=commitment.in_euros(commitment.delivered) or ZERO,
        pledged_days=pledged if in_days else ZERO,
        delivered_days=commitment.delivered if in_days else ZERO,
    )


def summarise(
    partners: list[PartnerRow],
    commitments: list[CommitmentRow],
    contributions: list[ContributionRow],
) -> LedgerSummary:
    """Totals per partner and per kind, the largest contributor, and the series."""
    by_id = {p.partner_id: p for p in partners}
    per_partner: dict[str, Totals] = defaultdict(Totals)
    counts: dict[str, int] = defaultdict(int)
    per_kind: dict[ContributionKind, tuple[Decimal, Decimal, Totals]] = {}
    for c in commitments:
        withdrawn = is_withdrawn(c, by_id.get(c.partner_id))
        totals = _totals(c, withdrawn)
        per_partner[c.partner_id] += totals
        counts[c.partner_id] += 1
        pledged, delivered, kind_totals = per_kind.get(c.kind, (ZERO, ZERO, Totals()))
        per_kind[c.kind] = (
            pledged + (ZERO if withdrawn else c.amount),
            delivered + c.delivered,
            kind_totals + totals,
        )
    units = {c.kind: c.unit for c in commitments}
    return _assembled(
        partners,
        per_partner,
        counts,
        {kind: (units[kind], *sums) for kind, sums in per_kind.items()},
        _over_time(commitments, contributions),
    )


def summary_of(
    partners: list[PartnerRow],
    lines: list[TotalsRow],
    months: list[tuple[date, Decimal]],
) -> LedgerSummary:
    """The same summary as ``summarise``, from the totals the projection keeps
    (``ledger_totals``): as many lines as partners × kinds, whatever the ledger's
    length."""
    by_id = {p.partner_id: p for p in partners}
    per_partner: dict[str, Totals] = defaultdict(Totals)
    counts: dict[str, int] = defaultdict(int)
    per_kind: dict[ContributionKind, tuple[Unit, Decimal, Decimal, Totals]] = {}
    for line in lines:
        partner = by_id.get(line.partner_id)
        # A partner's leaving withdraws its pledges, not what it delivered.
        left = partner is not None and not partner.active
        pledged = ZERO if left else line.pledged
        in_days = line.unit is Unit.PERSON_DAY
        totals = Totals(
            pledged_eur=ZERO if left else line.pledged_eur,
            delivered_eur=line.delivered_eur,
            pledged_days=pledged if in_days else ZERO,
            delivered_days=line.delivered if in_days else ZERO,
        )
        per_partner[line.partner_id] += totals
        counts[line.partner_id] += line.commitment_count
        _unit, kind_pledged, kind_delivered, kind_totals = per_kind.get(
            line.kind, (line.unit, ZERO, ZERO, Totals())
        )
        per_kind[line.kind] = (
            line.unit,
            kind_pledged + pledged,
            kind_delivered + line.delivered,
            kind_totals + totals,
        )
    series: list[tuple[date, Decimal]] = []
    running = ZERO
    for month, euros in months:
        running += euros
        series.append((month, running))
    return _assembled(partners, per_partner, counts, per_kind, tuple(series))


def _assembled(
    partners: list[PartnerRow],
    per_partner: dict[str, Totals],
    counts: dict[str, int],
    per_kind: dict[ContributionKind, tuple[Unit, Decimal, Decimal, Totals]],
    over_time: Series,
) -> LedgerSummary:
    lines = tuple(
        PartnerTotals(
            p.partner_id,
            p.name,
            p.active,
            per_partner[p.partner_id],
            counts[p.partner_id],
        )
        for p in partners
    )
    grand = sum((line.totals for line in lines), Totals())
    largest = max(lines, key=lambda line: line.totals.pledged_eur, default=None)
    share = (
        largest.totals.pledged_eur / grand.pledged_eur
        if largest is not None and grand.pledged_eur
        else None
    )
    kinds = tuple(
        KindTotals(kind, *per_kind[kind])
        for kind in ContributionKind
        if kind in per_kind
    )
    return LedgerSummary(
        lines, kinds, grand, largest if share else None, share, over_time
    )


def _over_time(
    commitments: list[CommitmentRow], contributions: list[ContributionRow]
) -> tuple[tuple[date, Decimal], ...]:
    """Cumulative euros delivered at the end of each month with a delivery."""
    by_id = {c.commitment_id: c for c in commitments}
    monthly: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for contribution in contributions:
        commitment = by_id.get(contribution.commitment_id)
        euros = commitment.in_euros(contribution.amount) if commitment else None
        month = contribution.delivered_on.replace(day=1)
        monthly[month] += euros or ZERO
    series: list[tuple[date, Decimal]] = []
    running = ZERO
    for month in sorted(monthly):
        running += monthly[month]
        series.append((month, running))
    return tuple(series)


def warning_facts(
    partners: list[PartnerRow], commitments: list[CommitmentRow]
) -> list[PartnerFacts]:
    """The facts the ledger warnings are computed from."""
    facts = []
    for p in partners:
        own = [c for c in commitments if c.partner_id == p.partner_id]
        facts.append(
            PartnerFacts(
                p.partner_id,
                p.name,
                p.role,
                p.active,
                p.joined_on,
                tuple(
                    CommitmentFacts(
                        c.kind,
                        c.ends_on,
                        is_withdrawn(c, p),
                        c.in_euros(c.amount) or ZERO,
                        c.delivery_count,
                        c.funding,
                    )
                    for c in own
                ),
            )
        )
    return facts


def _funding(
    co_financed: Collection[tuple[str, ContributionKind]] | None,
    partner_id: str,
    kind: ContributionKind,
) -> Funding | None:
    if co_financed is None:
        return None
    if (partner_id, kind) in co_financed:
        return Funding.CO_FINANCING
    return Funding.REQUESTED


def facts_of(
    partners: list[PartnerRow],
    lines: list[TotalsRow],
    co_financed: Collection[tuple[str, ContributionKind]] | None = None,
) -> list[PartnerFacts]:
    """The facts the ledger warnings read, from the kept totals.

    The rules ask whether a partner has commitments, whether its live ones have all
    ended, whether it delivered anything, whether the lead has a live financial
    commitment, and how much each pledged. One fact per partner and kind for its
    live commitments (its latest end, its pledged euros) and one for its withdrawn
    ones answer all of that as the commitments would, one by one.

    The ledger warnings do not read the funding: without ``co_financed`` it is None.
    Readiness asks whether the lead has a live co-financing commitment:
    ``co_financed`` names each partner and kind with one (``committed_sums``), and a
    live fact then says co-financing there, requested elsewhere.
    """
    by_partner: dict[str, list[TotalsRow]] = defaultdict(list)
    for line in lines:
        by_partner[line.partner_id].append(line)
    facts = []
    for p in partners:
        own: list[CommitmentFacts] = []
        for line in by_partner[p.partner_id]:
            if line.live_count:
                assert line.live_ends_on is not None  # noqa: S101 - kept with it
                own.append(
                    CommitmentFacts(
                        line.kind,
                        line.live_ends_on,
                        not p.active,
                        line.pledged_eur,
                        line.delivery_count,
                        _funding(co_financed, p.partner_id, line.kind),
                    )
                )
            if line.commitment_count > line.live_count:
                # Its deliveries are told once, with the live fact if there is one.
                own.append(
                    CommitmentFacts(
                        line.kind,
                        date.min,
                        True,
                        ZERO,
                        0 if line.live_count else line.delivery_count,
                    )
                )
        facts.append(
            PartnerFacts(
                p.partner_id, p.name, p.role, p.active, p.joined_on, tuple(own)
            )
        )
    return facts
