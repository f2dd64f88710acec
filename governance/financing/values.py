"""The words of a financing plan: categories, sources, the call's rules, lines.

Money is ``Decimal`` euros with at most two decimals (``check_amount``); rates are
percents (``Decimal("70")`` is 70 %), at most 100, with at most two decimals. Every
record checks itself and raises ``RuleViolated`` naming the input it is about.

**Where the call's funding rules live: on the plan, not on ``CallForProjects``.**
The rules a plan is checked against are part of what is filed with it: the
application's plan was checked against the call's rules, the convention's against the
rate and caps the funder signed (often tighter than the call's maximum), and an
amendment may change them again. Kept on the plan, they are versioned with the lines
in the same snapshot, and changing them is a fact of the plan's own history
(``FundingRulesSet``), refused like any other change once the convention is filed.
``CallForProjects`` is also stored inside ``Consortium.Founded`` and
``ProfileRevised``: a new field there would change the bytes every recorded profile
event is stored again as (``tests/persistence/test_recorded_streams.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from uuid import UUID, uuid5

from governance.errors import RuleViolated
from governance.values import ContributionKind, Funding, check_amount

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
MAX_PERSON_DAYS = Decimal(100_000)
MAX_TEXT = 200
FIRST_YEAR, LAST_YEAR = 2000, 2100

# Fixed forever: changing it would give every consortium a second, empty plan.
PLAN_NAMESPACE = UUID("2b9c8e57-3f0a-4d6e-8c1b-7a5e9d04f3c2")


def plan_id(consortium_id: str) -> UUID:
    """The id of a consortium's financing plan (one per consortium)."""
    return uuid5(PLAN_NAMESPACE, f"/consortia/{consortium_id}/financing-plan")


class CostCategory(Enum):
    """What an expense pays for (the categories of a French financing plan)."""

    STAFF = "staff"
    TRAVEL = "travel"
    EQUIPMENT = "equipment"
    EXTERNAL_SERVICES = "external_services"
    OTHER_DIRECT = "other_direct"
    INDIRECT = "indirect"


DIRECT_CATEGORIES: tuple[CostCategory, ...] = tuple(
    c for c in CostCategory if c is not CostCategory.INDIRECT
)
"""The categories a line is typed in; indirect costs are computed at a flat rate."""


class ResourceSource(Enum):
    """Where the money comes from."""

    REQUESTED = "requested"  # subvention sollicitée from this call's funder
    OTHER_PUBLIC = "other_public"
    OWN_FUNDS = "own_funds"  # autofinancement: the partners' financial commitments
    REVENUE = "revenue"
    IN_KIND = "in_kind"  # contributions en nature: the partners' other commitments


TYPED_SOURCES: tuple[ResourceSource, ...] = (
    ResourceSource.REQUESTED,
    ResourceSource.OTHER_PUBLIC,
    ResourceSource.REVENUE,
)
"""The sources a resource line is typed in. Own funds and contributions in kind are
the partners' co-financing commitments, read from the ledger: never typed twice."""


class PublicFunder(Enum):
    """Who grants other public funding."""

    STATE = "state"
    REGION = "region"
    DEPARTMENT = "department"
    INTERCOMMUNALITY = "intercommunality"
    MUNICIPALITY = "municipality"
    EU_FUNDS = "eu_funds"
    OTHER = "other"


class IndirectBase(Enum):
    """What the flat rate of indirect costs is a share of."""

    STAFF = "staff"
    DIRECT_COSTS = "direct_costs"


class PlanVersionKind(Enum):
    """Which moment of the project a filed version of the plan records."""

    APPLICATION = "application"
    CONVENTION = "convention"
    AMENDMENT = "amendment"


def _text(value: str, code: str, name: str, *, required: bool) -> str:
    text = " ".join(value.split())
    if required and not text:
        raise RuleViolated(f"{code}_required", field=name)
    if len(text) > MAX_TEXT:
        raise RuleViolated("plan.text_too_long", field=name, limit=MAX_TEXT)
    return text


def check_year(year: int | None) -> None:
    """A line's year, when given, is a plausible calendar year."""
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise RuleViolated(
            "plan.year_out_of_range", field="year", first=FIRST_YEAR, last=LAST_YEAR
        )


def check_rate(rate: Decimal, name: str) -> None:
    """A rate is a percent above 0, at most 100, with at most two decimals."""
    if not rate.is_finite() or rate <= 0:
        raise RuleViolated("rate.not_positive", field=name)
    if rate > HUNDRED:
        raise RuleViolated("rate.over_hundred", field=name)
    if rate != rate.quantize(CENT):
        raise RuleViolated("rate.too_precise", field=name)


def check_person_days(days: Decimal) -> None:
    """Person-days are positive, at most 100,000, with at most two decimals."""
    if not days.is_finite() or days <= 0:
        raise RuleViolated("person_days.not_positive", field="person_days")
    if days > MAX_PERSON_DAYS:
        raise RuleViolated("person_days.too_large", field="person_days")
    if days != days.quantize(CENT):
        raise RuleViolated("person_days.too_precise", field="person_days")


def to_cents(amount: Decimal) -> Decimal:
    """An amount rounded to the cent, halves away from zero (as accountants do)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ExpenseLine:
    """One planned expense of one partner, as recorded."""

    line_id: str
    partner_id: str
    category: CostCategory
    label: str
    amount: Decimal
    person_days: Decimal | None = None
    daily_rate: Decimal | None = None
    year: int | None = None
    work_package: str = ""


@dataclass(frozen=True)
class Expense:
    """A planned expense as the coordinator gives it.

    Staff is given as person-days × daily rate, or as an amount; every other
    category as an amount. Indirect costs are never typed: they are a flat rate of
    a base (``FundingRules``).
    """

    partner_id: str
    category: CostCategory
    label: str
    amount: Decimal | None = None
    person_days: Decimal | None = None
    daily_rate: Decimal | None = None
    year: int | None = None
    work_package: str = ""

    def line(self, line_id: str) -> ExpenseLine:
        """The line to record, checked, its amount computed for days × rate."""
        if self.category is CostCategory.INDIRECT:
            raise RuleViolated("expense.indirect_is_computed", field="category")
        label = _text(self.label, "expense.label", "label", required=True)
        work_package = _text(
            self.work_package, "expense.work_package", "work_package", required=False
        )
        check_year(self.year)
        return ExpenseLine(
            line_id,
            self.partner_id,
            self.category,
            label,
            self._amount(),
            self.person_days,
            self.daily_rate,
            self.year,
            work_package,
        )

    def _amount(self) -> Decimal:
        by_days = self.person_days is not None or self.daily_rate is not None
        if by_days and self.category is not CostCategory.STAFF:
            name = "person_days" if self.person_days is not None else "daily_rate"
            raise RuleViolated("expense.days_only_for_staff", field=name)
        if not by_days:
            if self.amount is None:
                raise RuleViolated("expense.amount_required", field="amount")
            check_amount(self.amount)
            return self.amount
        if self.amount is not None:
            raise RuleViolated("expense.amount_or_days", field="amount")
        if self.person_days is None:
            raise RuleViolated("expense.person_days_required", field="person_days")
        if self.daily_rate is None:
            raise RuleViolated("expense.daily_rate_required", field="daily_rate")
        check_person_days(self.person_days)
        check_amount(self.daily_rate, "daily_rate")
        amount = to_cents(self.person_days * self.daily_rate)
        check_amount(amount)
        return amount


@dataclass(frozen=True)
class ResourceLine:
    """One planned resource of one partner, as recorded."""

    line_id: str
    partner_id: str
    source: ResourceSource
    label: str
    amount: Decimal
    public_funder: PublicFunder | None = None
    year: int | None = None


@dataclass(frozen=True)
class Resource:
    """A planned resource as the coordinator gives it."""

    partner_id: str
    source: ResourceSource
    amount: Decimal
    label: str = ""
    public_funder: PublicFunder | None = None
    year: int | None = None

    def line(self, line_id: str) -> ResourceLine:
        """The line to record, checked."""
        if self.source not in TYPED_SOURCES:
            raise RuleViolated("resource.from_the_ledger", field="source")
        public = self.source is ResourceSource.OTHER_PUBLIC
        if public and self.public_funder is None:
            raise RuleViolated("resource.public_funder_required", field="public_funder")
        if not public and self.public_funder is not None:
            raise RuleViolated(
                "resource.public_funder_only_for_public", field="public_funder"
            )
        check_amount(self.amount)
        check_year(self.year)
        label = _text(self.label, "resource.label", "label", required=False)
        return ResourceLine(
            line_id,
            self.partner_id,
            self.source,
            label,
            self.amount,
            self.public_funder,
            self.year,
        )


@dataclass(frozen=True)
class FundingRules:
    """The call's (then the convention's) rules a plan is checked against.

    Every rate is a percent of the plan's costs (contributions in kind left out);
    None means the call sets no such rule.
    """

    max_funder_rate: Decimal | None = None
    max_partner_rate: Decimal | None = None
    min_cofinancing: Decimal | None = None
    eligible_from: date | None = None
    eligible_until: date | None = None
    eligible_categories: tuple[CostCategory, ...] = DIRECT_CATEGORIES
    indirect_rate: Decimal | None = None
    indirect_base: IndirectBase = IndirectBase.STAFF
    equipment_cap: Decimal | None = None
    reallocation_share: Decimal = Decimal(20)
    """How much of a partner's budget its statements may move between categories
    (a percent) before the convention needs an amendment."""

    def checked(self) -> FundingRules:
        """The rules, checked, their categories in the usual order."""
        for name in (
            "max_funder_rate",
            "max_partner_rate",
            "min_cofinancing",
            "indirect_rate",
            "equipment_cap",
            "reallocation_share",
        ):
            rate = getattr(self, name)
            if rate is not None:
                check_rate(rate, name)
        if (
            self.eligible_from is not None
            and self.eligible_until is not None
            and self.eligible_until < self.eligible_from
        ):
            raise RuleViolated("period.ends_before_start", field="eligible_until")
        if CostCategory.INDIRECT in self.eligible_categories:
            raise RuleViolated("rules.indirect_by_rate", field="eligible_categories")
        if not self.eligible_categories:
            raise RuleViolated(
                "rules.no_eligible_category", field="eligible_categories"
            )
        chosen = set(self.eligible_categories)
        return replace(
            self, eligible_categories=tuple(c for c in DIRECT_CATEGORIES if c in chosen)
        )

    def eligible(self, category: CostCategory) -> bool:
        """Whether the call pays for this category (indirect: when it sets a rate)."""
        if category is CostCategory.INDIRECT:
            return self.indirect_rate is not None
        return category in self.eligible_categories


@dataclass(frozen=True)
class CommittedContribution:
    """A partner's commitment as the plan counts it, valued in euros.

    ``euros`` is None for staff time pledged without a daily rate: it cannot be
    valued, so the plan leaves it out (and says so).
    """

    commitment_id: str
    partner_id: str
    kind: ContributionKind
    funding: Funding
    euros: Decimal | None
    covers: str = ""


def committed_euros(
    kind: ContributionKind, amount: Decimal, daily_rate: Decimal | None
) -> Decimal | None:
    """What a commitment is worth in euros (None: staff time without a rate)."""
    if kind is ContributionKind.HUMAN:
        return to_cents(amount * daily_rate) if daily_rate is not None else None
    return amount


@dataclass(frozen=True)
class PlanContent:
    """Everything a plan holds at one moment: the draft, or a filed version."""

    expenses: tuple[ExpenseLine, ...] = ()
    resources: tuple[ResourceLine, ...] = ()
    contributions: tuple[CommittedContribution, ...] = ()
    rules: FundingRules = field(default_factory=FundingRules)


@dataclass(frozen=True)
class PlanVersion:
    """A filed version of the plan: its number, what it records, and the lines."""

    number: int
    kind: PlanVersionKind
    content: PlanContent
