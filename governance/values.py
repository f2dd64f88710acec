"""Value types of the domain: enumerations and small frozen records.

Plain ``Enum`` (not ``StrEnum``, which reloads from storage as ``str``); each one has a
transcoding in ``transcodings.py``. Validation of identifiers (SIRET, RNA) lives here
because it is a property of the value, not of any aggregate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from governance.errors import RuleViolated


class Phase(Enum):
    """The life of a project answering a call for projects."""

    SETUP = "setup"
    APPLICATION_SUBMITTED = "application_submitted"
    SELECTED = "selected"
    REJECTED = "rejected"
    AGREEMENT_SIGNED = "agreement_signed"
    IMPLEMENTATION = "implementation"
    CLOSED = "closed"


class PartnerKind(Enum):
    """The typology funders use to read a consortium's mix."""

    LOCAL_AUTHORITY = "local_authority"
    PUBLIC_BODY = "public_body"
    COMPANY = "company"
    SOCIAL_ECONOMY = "social_economy"
    ACADEMIC = "academic"
    CITIZENS = "citizens"
    FUNDER = "funder"
    OTHER = "other"


class AuthorityLevel(Enum):
    """The level of a local authority (only for ``PartnerKind.LOCAL_AUTHORITY``)."""

    COMMUNE = "commune"
    EPCI = "epci"
    DEPARTEMENT = "departement"
    REGION = "region"


class PartnerRole(Enum):
    """A partner's place in the consortium."""

    LEAD = "lead"
    PARTNER = "partner"
    ASSOCIATED = "associated"


class Paper(Enum):
    """The written commitment funders ask of each partner."""

    NONE = "none"
    LETTER_OF_COMMITMENT = "letter_of_commitment"
    CONVENTION_SIGNED = "convention_signed"


class MemberRole(Enum):
    """A person's role in one consortium (roles are held per consortium)."""

    COORDINATOR = "coordinator"
    MEMBER = "member"
    PILOT_TEAM = "pilot_team"
    FINANCER = "financer"


class ContributionKind(Enum):
    """What a partner brings; the unit is fixed by the kind."""

    FINANCIAL = "financial"
    HUMAN = "human"
    TECHNICAL = "technical"
    LOGISTICAL = "logistical"
    DATA_SET = "data_set"
    IN_KIND = "in_kind"


class Unit(Enum):
    """The unit a commitment is counted in."""

    EUR = "eur"
    PERSON_DAY = "person_day"


class Funding(Enum):
    """Whether the partner brings it, or asks the funder for it."""

    CO_FINANCING = "co_financing"
    REQUESTED = "requested"


UNIT_OF_KIND: dict[ContributionKind, Unit] = {
    ContributionKind.FINANCIAL: Unit.EUR,
    ContributionKind.HUMAN: Unit.PERSON_DAY,
    # Technical, logistical, data and other in-kind help are valued in euros.
    ContributionKind.TECHNICAL: Unit.EUR,
    ContributionKind.LOGISTICAL: Unit.EUR,
    ContributionKind.DATA_SET: Unit.EUR,
    ContributionKind.IN_KIND: Unit.EUR,
}


class ReportKind(Enum):
    """What a reporting obligation asks for."""

    ACTIVITY_REPORT = "activity_report"
    FINANCIAL_STATEMENT = "financial_statement"
    INDICATOR_UPDATE = "indicator_update"
    FINAL_REPORT = "final_report"


class ReportStatus(Enum):
    """Where a report stands."""

    DUE = "due"
    DRAFTED = "drafted"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"


class ReminderChannel(Enum):
    """How a reminder reached its recipient."""

    EMAIL = "email"
    DIGEST = "digest"
    IN_APP = "in_app"


@dataclass(frozen=True)
class Evidence:
    """A file proving a contribution, known by its SHA-256 content hash."""

    sha256: str
    size: int
    media_type: str
    filename: str


@dataclass(frozen=True)
class ReportedValue:
    """One measured value of an indicator, as included in a report."""

    on: date
    value: Decimal
    source: str


@dataclass(frozen=True)
class ReportedIndicator:
    """An indicator and its values over a report's period, frozen in the report.

    What the funder received stays as it was sent, whatever is measured later.
    """

    indicator_id: str
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    target_on: date
    values: tuple[ReportedValue, ...]

    @property
    def latest(self) -> ReportedValue | None:
        """The last value of the period, or None when nothing was measured."""
        return self.values[-1] if self.values else None


@dataclass(frozen=True)
class CallForProjects:
    """The funder's call the consortium answers."""

    name: str
    funder: str
    reference: str = ""
    opens_on: date | None = None
    closing_dates: tuple[date, ...] = ()
    url: str = ""

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise RuleViolated("call.name_required")
        if not self.funder.strip():
            raise RuleViolated("call.funder_required")
        if self.url and not re.match(r"^https?://[^\s/]+", self.url, re.IGNORECASE):
            raise RuleViolated("call.url_invalid", field="url")
        if list(self.closing_dates) != sorted(set(self.closing_dates)):
            raise RuleViolated("call.closing_dates_unordered", field="closing_dates")
        if (
            self.opens_on
            and self.closing_dates
            and self.closing_dates[0] < self.opens_on
        ):
            raise RuleViolated("call.closes_before_opening", field="closing_dates")


@dataclass(frozen=True)
class PartnerIdentity:
    """What identifies an organisation when it is admitted."""

    name: str
    kind: PartnerKind
    authority_level: AuthorityLevel | None = None
    siret: str = ""
    rna: str = ""


MAX_AMOUNT = Decimal("1000000000")  # a billion: beyond that, a typing mistake


def check_amount(amount: Decimal, field: str = "amount") -> None:
    """Amounts are finite, positive, at most a billion, with at most 2 decimals."""
    if not amount.is_finite() or amount <= 0:
        raise RuleViolated(f"{field}.not_positive", field=field)
    if amount > MAX_AMOUNT:
        raise RuleViolated(f"{field}.too_large", field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise RuleViolated(f"{field}.too_precise", field=field)


def check_period(starts_on: date, ends_on: date, field: str = "ends_on") -> None:
    """A period ends on or after the day it starts (``field``: its end's name)."""
    if ends_on < starts_on:
        raise RuleViolated("period.ends_before_start", field=field)


@dataclass(frozen=True)
class Pledge:
    """What a commitment says, as given by the person pledging."""

    kind: ContributionKind
    amount: Decimal
    starts_on: date
    ends_on: date
    covers: str
    funding: Funding
    daily_rate: Decimal | None = None
    licence: str = ""
    valuation_method: str = ""

    def check(self) -> None:
        """Raise unless the pledge is complete and coherent for its kind."""
        check_amount(self.amount)
        check_period(self.starts_on, self.ends_on)
        if self.daily_rate is not None:
            if self.kind is not ContributionKind.HUMAN:
                raise RuleViolated(
                    "commitment.daily_rate_only_for_human", field="daily_rate"
                )
            check_amount(self.daily_rate, "daily_rate")
        if self.kind is ContributionKind.DATA_SET and not self.licence.strip():
            raise RuleViolated("commitment.licence_required", field="licence")
        if self.kind is ContributionKind.IN_KIND and not self.valuation_method.strip():
            raise RuleViolated(
                "commitment.valuation_method_required", field="valuation_method"
            )


MEETING = "meeting"
WRITTEN = "written"


@dataclass(frozen=True)
class Motion:
    """What is put to the vote, as the person tabling it gives it."""

    title: str
    text: str
    options: tuple[str, ...]
    mode: str
    closes_at: datetime | None = None
    meeting_on: date | None = None
    document: Evidence | None = None


def is_valid_siret(siret: str) -> bool:
    """A SIRET is 14 digits passing the Luhn check (La Poste's sites excepted)."""
    if not re.fullmatch(r"\d{14}", siret):
        return False
    # La Poste's establishments share SIREN 356000000 and use a sum divisible by 5;
    # its head office, 35600000000048, keeps the Luhn key.
    if siret.startswith("356000000") and siret != "35600000000048":
        return sum(int(d) for d in siret) % 5 == 0
    total = 0
    for index, char in enumerate(reversed(siret)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def is_valid_rna(rna: str) -> bool:
    """An RNA number (French register of associations) is ``W`` and nine digits."""
    return re.fullmatch(r"W\d{9}", rna) is not None


# -- capitalisation ---------------------------------------------------------------

URL_PATTERN = re.compile(r"^https?://[^\s/]+\S*$", re.IGNORECASE)


def is_web_address(url: str) -> bool:
    """Whether ``url`` is an http or https address (nothing else is linked to)."""
    return URL_PATTERN.match(url) is not None


class CapitalisationKind(Enum):
    """What a capitalisation entry records."""

    LESSON = "lesson"
    ASSET = "asset"
    REPLICATION = "replication"
    DISSEMINATION = "dissemination"


class AssetType(Enum):
    """What kind of reusable result a consortium leaves behind."""

    SOFTWARE = "software"
    METHOD = "method"
    DATA_SET = "data_set"
    GUIDE = "guide"


def _required(value: str, code: str, field: str) -> None:
    if not value.strip():
        raise RuleViolated(code, field=field)


@dataclass(frozen=True)
class Lesson:
    """A lesson learned: what worked, what did not, for whom it matters."""

    title: str
    worked: str
    did_not_work: str
    for_whom: str

    kind = CapitalisationKind.LESSON

    def check(self) -> None:
        """Raise unless the lesson says something and to whom."""
        _required(self.title, "capitalisation.title_required", "title")
        if not (self.worked.strip() or self.did_not_work.strip()):
            # Shown next to what worked, the first of the two.
            raise RuleViolated("lesson.content_required", field="worked")
        _required(self.for_whom, "lesson.for_whom_required", "for_whom")


@dataclass(frozen=True)
class ReusableAsset:
    """A result others may reuse: software, method, data set or guide."""

    title: str
    asset_type: AssetType
    description: str
    licence: str
    url: str

    kind = CapitalisationKind.ASSET

    def check(self) -> None:
        """Raise unless the asset has a licence and an http(s) location."""
        _required(self.title, "capitalisation.title_required", "title")
        _required(self.licence, "asset.licence_required", "licence")
        _required(self.url, "asset.url_required", "url")
        if not is_web_address(self.url.strip()):
            raise RuleViolated("asset.url_invalid", field="url")


@dataclass(frozen=True)
class Replication:
    """Another territory or organisation reusing a result, when, how adapted."""

    title: str
    reused_by: str
    on: date
    adaptation: str

    kind = CapitalisationKind.REPLICATION

    def check(self) -> None:
        """Raise unless the replication names what was reused and by whom."""
        _required(self.title, "capitalisation.title_required", "title")
        _required(self.reused_by, "replication.reused_by_required", "reused_by")


@dataclass(frozen=True)
class Dissemination:
    """An event where the project shared its results: when, to whom, where."""

    title: str
    on: date
    audience: str
    place: str
    url: str

    kind = CapitalisationKind.DISSEMINATION

    def check(self) -> None:
        """Raise unless the event has an audience and a place or an address."""
        _required(self.title, "capitalisation.title_required", "title")
        _required(self.audience, "dissemination.audience_required", "audience")
        if not (self.place.strip() or self.url.strip()):
            raise RuleViolated("dissemination.place_required", field="place")
        if self.url.strip() and not is_web_address(self.url.strip()):
            raise RuleViolated("dissemination.url_invalid", field="url")


CapitalisationEntry = Lesson | ReusableAsset | Replication | Dissemination
"""What any capitalisation entry holds, by kind."""


def tidy(entry: CapitalisationEntry) -> CapitalisationEntry:
    """The entry with its texts stripped of surrounding blanks."""
    return replace(
        entry,
        **{
            f.name: getattr(entry, f.name).strip()
            for f in fields(entry)
            if isinstance(getattr(entry, f.name), str)
        },
    )
