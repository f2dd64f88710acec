"""Warnings about a consortium's contributions: pure rules funders care about.

Each rule reads plain facts (built by the read side) and the date, and returns
warnings with a code and the values a sentence needs. Thresholds come as arguments so
a consortium's settings can change them later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from governance.values import ContributionKind, Funding, PartnerRole, Phase

FACADE_DAYS = 90
CONCENTRATION_SHARE = Decimal("0.6")


@dataclass(frozen=True)
class CommitmentFacts:
    """What the warnings need to know of one commitment."""

    kind: ContributionKind
    ends_on: date
    withdrawn: bool
    pledged_eur: Decimal
    delivered_count: int
    funding: Funding | None = None
    """Co-financing or requested; None where the caller does not know."""


@dataclass(frozen=True)
class PartnerFacts:
    """What the warnings need to know of one partner."""

    partner_id: str
    name: str
    role: PartnerRole
    active: bool
    joined_on: date
    commitments: tuple[CommitmentFacts, ...] = ()


@dataclass(frozen=True)
class Warning:
    """Something a funder would frown at, with the values to explain it."""

    code: str
    partner_id: str | None = None
    params: dict[str, object] = field(default_factory=dict)


def ledger_warnings(
    partners: list[PartnerFacts],
    phase: Phase,
    today: date,
    *,
    facade_days: int = FACADE_DAYS,
    concentration: Decimal = CONCENTRATION_SHARE,
) -> list[Warning]:
    """Every warning the consortium's contributions deserve today."""
    active = [p for p in partners if p.active]
    warnings: list[Warning] = []
    for partner in active:
        warnings.extend(_partner_warnings(partner, today, facade_days))
    if phase is not Phase.SETUP:
        for lead in (p for p in active if p.role is PartnerRole.LEAD):
            if not any(
                c.kind is ContributionKind.FINANCIAL and not c.withdrawn
                for c in lead.commitments
            ):
                warnings.append(
                    Warning(
                        "lead.no_financial_commitment",
                        lead.partner_id,
                        {"partner": lead.name},
                    )
                )
    warnings.extend(_concentration(active, concentration))
    return warnings


def _partner_warnings(
    partner: PartnerFacts, today: date, facade_days: int
) -> list[Warning]:
    live = [c for c in partner.commitments if not c.withdrawn]
    name: dict[str, object] = {"partner": partner.name}
    if not partner.commitments:
        return [Warning("facade.no_commitment", partner.partner_id, name)]
    if not live or all(c.ends_on < today for c in live):
        return [Warning("commitments.all_lapsed", partner.partner_id, name)]
    waited = today - partner.joined_on
    if waited > timedelta(days=facade_days) and not any(
        c.delivered_count for c in partner.commitments
    ):
        return [
            Warning(
                "facade.nothing_delivered",
                partner.partner_id,
                {**name, "days": waited.days},
            )
        ]
    return []


def _concentration(active: list[PartnerFacts], threshold: Decimal) -> list[Warning]:
    totals = {
        p.partner_id: sum(
            (c.pledged_eur for c in p.commitments if not c.withdrawn), Decimal(0)
        )
        for p in active
    }
    grand = sum(totals.values(), Decimal(0))
    if len(active) < 2 or grand <= 0:
        return []
    top_id, top = max(totals.items(), key=lambda item: item[1])
    share = top / grand
    if share <= threshold:
        return []
    top_name = next(p.name for p in active if p.partner_id == top_id)
    return [
        Warning(
            "contributions.concentrated",
            top_id,
            {
                "partner": top_name,
                "share": round(share * 100),
                "threshold": round(threshold * 100),
            },
        )
    ]
