"""Funder-readiness: the consortium checked against what funders look for.

A pure function of plain facts (gathered by the read side, like the ledger
warnings) and the date. Each item says whether it is met, not met or does not apply,
with a reason code and the values a sentence needs; the web layer words it and links
to the page that fixes it. Rules live here so they are tested without a database and
read the same wherever they are shown.

What counts, item by item (the sources are ``domain.md``'s "what funders want"):

- ``papers``: every active partner has its written commitment on file, the document
  itself: a letter of commitment or support filed for it, or its signature recorded
  on the partnership convention or the consortium agreement. A paper only declared on
  the partner (its status), with no document filed, is named as such and not met.
- ``governance``: at least one governance body; every body has a decision rule (a
  body cannot be established without one).
- ``commitments``: every active partner has a commitment (typed by its kind) that
  was not withdrawn.
- ``lead_co_financing``: the lead partner has a co-financing commitment (of any
  kind: funders count valued in-kind co-financing too) that was not withdrawn.
- ``indicators``: at least one indicator (each has a target and a target date).
- ``reporting_calendar``: at least one report scheduled to a funder.
- ``capitalisation_plan``: at least one entry of the capitalisation register that
  was not withdrawn (a lesson, an asset, a replication or a dissemination event).
- ``data_protection``: applies when the consortium declared that the project
  handles personal data; met when it named an active partner competent in data
  protection. Until the question is answered, it is not met.
- ``no_facade``: no partner draws a façade warning of the ledger
  (``governance.warnings``: no commitment, or nothing delivered long after joining).
- ``partner_variety``: the active partners are of more than one kind.
- ``end_beneficiaries``: an active citizens' collective partner, or a recorded
  description of how end beneficiaries are involved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from governance.values import Funding, Paper, PartnerKind, PartnerRole, Phase
from governance.warnings import FACADE_DAYS, PartnerFacts, ledger_warnings

FACADE_CODES = frozenset({"facade.no_commitment", "facade.nothing_delivered"})


class Status(Enum):
    """Where one readiness item stands."""

    MET = "met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class ReadinessPartner:
    """What readiness needs to know of one partner, beyond the ledger's facts."""

    facts: PartnerFacts
    kind: PartnerKind
    paper: Paper
    documented: bool = False
    """A letter filed for the partner, or its signature on an agreement."""

    @property
    def name(self) -> str:
        return self.facts.name


@dataclass(frozen=True)
class ReadinessFacts:
    """Everything the readiness check reads, as plain values."""

    phase: Phase
    partners: tuple[ReadinessPartner, ...]
    bodies: int
    indicators: int
    obligations: int
    capitalisation_entries: int
    handles_personal_data: bool | None
    data_protection_partner_id: str | None
    beneficiary_involvement: str


@dataclass(frozen=True)
class Item:
    """One thing funders look for: its status and why, with the values to say it."""

    code: str
    status: Status
    reason: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Readiness:
    """Every item, in a fixed order, and the score."""

    items: tuple[Item, ...]

    @property
    def met(self) -> int:
        """How many items are met."""
        return sum(1 for i in self.items if i.status is Status.MET)

    @property
    def applicable(self) -> int:
        """How many items apply to this consortium."""
        return sum(1 for i in self.items if i.status is not Status.NOT_APPLICABLE)


ITEMS = (
    "papers",
    "governance",
    "commitments",
    "lead_co_financing",
    "indicators",
    "reporting_calendar",
    "capitalisation_plan",
    "data_protection",
    "no_facade",
    "partner_variety",
    "end_beneficiaries",
)


def _names(partners: list[ReadinessPartner]) -> str:
    return ", ".join(p.name for p in partners)


def _count_item(code: str, count: int, met: str, missing: str) -> Item:
    if count:
        return Item(code, Status.MET, met, {"count": count})
    return Item(code, Status.NOT_MET, missing)


def _every_partner(
    code: str, active: list[ReadinessPartner], lacking: list[ReadinessPartner]
) -> Item:
    if not active:
        return Item(code, Status.NOT_MET, "partners.none")
    if lacking:
        return Item(
            code,
            Status.NOT_MET,
            f"{code}.missing",
            {"partners": _names(lacking), "count": len(lacking)},
        )
    return Item(code, Status.MET, f"{code}.all", {"count": len(active)})


def _papers(active: list[ReadinessPartner]) -> Item:
    """Each partner's paper, the document itself (a declared status is not enough)."""
    lacking = [p for p in active if p.paper is Paper.NONE and not p.documented]
    declared = [p for p in active if not p.documented]
    if active and not lacking and declared:
        return Item(
            "papers",
            Status.NOT_MET,
            "papers.undocumented",
            {"partners": _names(declared), "count": len(declared)},
        )
    return _every_partner("papers", active, lacking)


def _live_commitment(partner: ReadinessPartner) -> bool:
    return any(not c.withdrawn for c in partner.facts.commitments)


def _lead_co_financing(active: list[ReadinessPartner]) -> Item:
    code = "lead_co_financing"
    leads = [p for p in active if p.facts.role is PartnerRole.LEAD]
    if not leads:
        return Item(code, Status.NOT_MET, "lead.none")
    lead = leads[0]
    co_financing = any(
        not c.withdrawn and c.funding is Funding.CO_FINANCING
        for c in lead.facts.commitments
    )
    if co_financing:
        return Item(code, Status.MET, "lead.co_finances", {"partner": lead.name})
    return Item(code, Status.NOT_MET, "lead.no_co_financing", {"partner": lead.name})


def _data_protection(facts: ReadinessFacts, active: list[ReadinessPartner]) -> Item:
    code = "data_protection"
    if facts.handles_personal_data is None:
        return Item(code, Status.NOT_MET, "personal_data.unanswered")
    if not facts.handles_personal_data:
        return Item(code, Status.NOT_APPLICABLE, "personal_data.not_handled")
    named = [
        p
        for p in facts.partners
        if p.facts.partner_id == facts.data_protection_partner_id
    ]
    if not named:
        return Item(code, Status.NOT_MET, "personal_data.no_partner")
    if named[0] not in active:
        return Item(
            code,
            Status.NOT_MET,
            "personal_data.partner_withdrawn",
            {"partner": named[0].name},
        )
    return Item(code, Status.MET, "personal_data.partner", {"partner": named[0].name})


def _no_facade(
    facts: ReadinessFacts, active: list[ReadinessPartner], today: date, days: int
) -> Item:
    code = "no_facade"
    if not active:
        return Item(code, Status.NOT_APPLICABLE, "partners.none")
    warnings = ledger_warnings(
        [p.facts for p in facts.partners], facts.phase, today, facade_days=days
    )
    flagged = {w.partner_id for w in warnings if w.code in FACADE_CODES}
    facades = [p for p in active if p.facts.partner_id in flagged]
    if facades:
        return Item(
            code,
            Status.NOT_MET,
            "facade.found",
            {"partners": _names(facades), "count": len(facades), "days": days},
        )
    return Item(code, Status.MET, "facade.none")


def _variety(active: list[ReadinessPartner]) -> Item:
    code = "partner_variety"
    kinds = {p.kind for p in active}
    if not active:
        return Item(code, Status.NOT_MET, "partners.none")
    if len(kinds) > 1:
        return Item(code, Status.MET, "variety.kinds", {"count": len(kinds)})
    return Item(code, Status.NOT_MET, "variety.one_kind", {"kind": active[0].kind})


def _beneficiaries(facts: ReadinessFacts, active: list[ReadinessPartner]) -> Item:
    code = "end_beneficiaries"
    citizens = [p for p in active if p.kind is PartnerKind.CITIZENS]
    if citizens:
        return Item(
            code, Status.MET, "beneficiaries.partner", {"partners": _names(citizens)}
        )
    if facts.beneficiary_involvement.strip():
        return Item(
            code,
            Status.MET,
            "beneficiaries.described",
            {"description": facts.beneficiary_involvement.strip()},
        )
    return Item(code, Status.NOT_MET, "beneficiaries.none")


def assess(
    facts: ReadinessFacts, today: date, *, facade_days: int = FACADE_DAYS
) -> Readiness:
    """Every readiness item of the consortium today, in the order of ``ITEMS``."""
    active = [p for p in facts.partners if p.facts.active]
    items = (
        _papers(active),
        _count_item("governance", facts.bodies, "governance.bodies", "governance.none"),
        _every_partner(
            "commitments", active, [p for p in active if not _live_commitment(p)]
        ),
        _lead_co_financing(active),
        _count_item(
            "indicators", facts.indicators, "indicators.defined", "indicators.none"
        ),
        _count_item(
            "reporting_calendar",
            facts.obligations,
            "calendar.scheduled",
            "calendar.none",
        ),
        _count_item(
            "capitalisation_plan",
            facts.capitalisation_entries,
            "capitalisation.recorded",
            "capitalisation.none",
        ),
        _data_protection(facts, active),
        _no_facade(facts, active, today, facade_days),
        _variety(active),
        _beneficiaries(facts, active),
    )
    return Readiness(items)
