"""Form parsing: strings in, command arguments or field errors out.

Pure functions, no Starlette types: each takes the submitted fields as a mapping and
returns either the parsed values or a ``FormErrors`` naming the fields at fault (with
message ids translated when shown). Domain rules stay in the domain; this only checks
shape (required, length, format, known choices).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import TypeVar
from zoneinfo import ZoneInfo

from governance.errors import RuleViolated
from governance.values import (
    AssetType,
    AuthorityLevel,
    CallForProjects,
    CapitalisationEntry,
    CapitalisationKind,
    ContributionKind,
    Dissemination,
    Funding,
    Lesson,
    MemberRole,
    Paper,
    PartnerIdentity,
    PartnerKind,
    PartnerRole,
    Phase,
    Pledge,
    Replication,
    ReportKind,
    ReusableAsset,
    is_web_address,
)
from governance.voting import DEFAULT_OPTIONS, Majority, Outcome, VotingRule
from notifications.emails import Delivery
from web.i18n import N_

E = TypeVar("E", bound=Enum)

SHORT = 200
LONG = 4000
# Every character ``str.splitlines`` breaks on: CR and LF, and the vertical tab, form
# feed, file/group/record separators, NEL and the Unicode line/paragraph separators.
LINE_BREAK = re.compile("[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


@dataclass
class FormErrors(Exception):
    """Field name → message id; ``""`` holds errors about the whole form."""

    errors: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise self


class Fields:
    """Reads a submitted form field by field, collecting errors as it goes."""

    def __init__(self, data: Mapping[str, str]) -> None:
        self.data = data
        self.errors = FormErrors()

    def text(
        self,
        name: str,
        *,
        required: bool = False,
        max_length: int = SHORT,
        multiline: bool = False,
    ) -> str:
        """A text field; one line unless ``multiline`` (a textarea).

        Names and titles end up in headings, lists, exports and e-mail subjects,
        where a line break would split or forge a line: they are refused.
        """
        value = str(self.data.get(name, "")).strip()
        if "\x00" in value:
            self.errors.add(
                name, N_("This text contains characters that are not allowed.")
            )
            return ""
        if not multiline and LINE_BREAK.search(value):
            self.errors.add(
                name, N_("Write this on one line: line breaks are not allowed here.")
            )
            return ""
        if required and not value:
            self.errors.add(name, N_("This field is required."))
        elif len(value) > max_length:
            self.errors.add(name, N_("This text is too long."))
        return value

    def day(self, name: str, *, required: bool = False) -> date | None:
        value = str(self.data.get(name, "")).strip()
        if not value:
            if required:
                self.errors.add(name, N_("This field is required."))
            return None
        parsed = parse_day(value)
        if parsed is None:
            self.errors.add(name, N_("Enter a date as YYYY-MM-DD."))
        return parsed

    def choice(
        self, name: str, enum_type: type[E], *, required: bool = True
    ) -> E | None:
        value = str(self.data.get(name, "")).strip()
        if not value:
            if required:
                self.errors.add(name, N_("Choose one of the options."))
            return None
        try:
            return enum_type(value)
        except ValueError:
            self.errors.add(name, N_("Choose one of the options."))
            return None

    def amount(self, name: str, *, required: bool = True) -> Decimal | None:
        value = str(self.data.get(name, "")).strip()
        if not value:
            if required:
                self.errors.add(name, N_("This field is required."))
            return None
        parsed = parse_amount(value)
        if parsed is None:
            self.errors.add(name, N_("Enter a number, like 1200 or 1 200,50."))
        return parsed

    def rule(self, name: str, error: RuleViolated) -> None:
        """Attach a domain refusal found while parsing to a field."""
        self.errors.add(name, error.code)


def parse_amount(value: str) -> Decimal | None:
    """A plain decimal number, English or French style ("1,200.50", "1 200,50").

    No exponents, no NaN or infinity: only digits with one decimal separator.
    """
    text = re.sub(r"[\s\u00a0\u202f']", "", value)
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", text):
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", ".")
    if not re.fullmatch(r"\d{1,15}(\.\d{1,6})?", text):
        return None
    return Decimal(text)


def is_whole_number(text: str) -> bool:
    """ASCII digits only: ``"²".isdigit()`` is true, yet ``int("²")`` fails."""
    return text.isascii() and text.isdigit()


def parse_day(value: str) -> date | None:
    """A ``YYYY-MM-DD`` date, or None if the text is not one."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class ConsortiumForm:
    """A consortium's profile and call, as submitted."""

    name: str
    acronym: str
    summary: str
    territory: str
    call: CallForProjects


def parse_consortium(data: Mapping[str, str]) -> ConsortiumForm:
    """Parse the found/edit consortium form; raises ``FormErrors``."""
    f = Fields(data)
    name = f.text("name", required=True)
    acronym = f.text("acronym", max_length=40)
    summary = f.text("summary", max_length=LONG, multiline=True)
    territory = f.text("territory")
    call_name = f.text("call_name", required=True)
    funder = f.text("call_funder", required=True)
    reference = f.text("call_reference", max_length=100)
    opens_on = f.day("call_opens_on")
    url = f.text("call_url", max_length=500)
    closing: list[date] = []
    for line in re.split(r"[\s,;]+", str(data.get("call_closing_dates", "")).strip()):
        if not line:
            continue
        parsed = parse_day(line)
        if parsed is None:
            f.errors.add("call_closing_dates", N_("Enter each date as YYYY-MM-DD."))
        else:
            closing.append(parsed)
    f.errors.raise_if_any()
    try:
        call = CallForProjects(
            name=call_name,
            funder=funder,
            reference=reference,
            opens_on=opens_on,
            closing_dates=tuple(sorted(set(closing))),
            url=url,
        )
    except RuleViolated as error:
        target = {
            "call.url_invalid": "call_url",
            "call.closes_before_opening": "call_closing_dates",
        }
        f.rule(target.get(error.code, ""), error)
        raise f.errors from None
    return ConsortiumForm(name, acronym, summary, territory, call)


@dataclass(frozen=True)
class PhaseForm:
    """A phase change, as submitted."""

    phase: Phase
    on: date


def parse_phase(data: Mapping[str, str]) -> PhaseForm:
    """Parse the change-phase form; raises ``FormErrors``."""
    f = Fields(data)
    phase = f.choice("phase", Phase)
    on = f.day("on", required=True)
    if phase is None or on is None:
        raise f.errors
    return PhaseForm(phase, on)


@dataclass(frozen=True)
class PartnerForm:
    """A partner's admission, as submitted."""

    identity: PartnerIdentity
    role: PartnerRole
    axis: str
    paper: Paper
    paper_signed_on: date | None
    joined_on: date


def parse_partner(data: Mapping[str, str], *, today: date) -> PartnerForm:
    """Parse the admit-partner form; raises ``FormErrors``."""
    f = Fields(data)
    name = f.text("name", required=True)
    kind = f.choice("kind", PartnerKind)
    level = f.choice("authority_level", AuthorityLevel, required=False)
    siret = re.sub(r"\s", "", f.text("siret", max_length=40))
    rna = f.text("rna", max_length=20).upper()
    role = f.choice("role", PartnerRole)
    axis = f.text("axis", max_length=500)
    paper = f.choice("paper", Paper) or Paper.NONE
    signed_on = f.day("paper_signed_on")
    joined_on = f.day("joined_on") or today
    if kind is PartnerKind.LOCAL_AUTHORITY and level is None:
        f.errors.add("authority_level", N_("Choose the level of the local authority."))
    if kind is not None and kind is not PartnerKind.LOCAL_AUTHORITY:
        level = None
    f.errors.raise_if_any()
    if kind is None or role is None:
        raise f.errors
    return PartnerForm(
        PartnerIdentity(name, kind, level, siret, rna),
        role,
        axis,
        paper,
        signed_on,
        joined_on,
    )


@dataclass(frozen=True)
class PaperForm:
    """A partner's paper, as submitted."""

    paper: Paper
    signed_on: date | None


def parse_paper(data: Mapping[str, str]) -> PaperForm:
    """Parse the record-paper form; raises ``FormErrors``."""
    f = Fields(data)
    paper = f.choice("paper", Paper)
    signed_on = f.day("paper_signed_on")
    f.errors.raise_if_any()
    assert paper is not None  # noqa: S101 - checked just above
    return PaperForm(paper, signed_on)


def parse_role(data: Mapping[str, str]) -> PartnerRole:
    """Parse the change-role form; raises ``FormErrors``."""
    f = Fields(data)
    role = f.choice("role", PartnerRole)
    f.errors.raise_if_any()
    assert role is not None  # noqa: S101 - checked just above
    return role


def parse_axis(data: Mapping[str, str]) -> str:
    """Parse the change-axis form; raises ``FormErrors``."""
    f = Fields(data)
    axis = f.text("axis", max_length=500)
    f.errors.raise_if_any()
    return axis


@dataclass(frozen=True)
class WithdrawalForm:
    """A partner's withdrawal, as submitted."""

    on: date
    reason: str


def parse_withdrawal(data: Mapping[str, str], *, today: date) -> WithdrawalForm:
    """Parse the withdrawal form; raises ``FormErrors``."""
    f = Fields(data)
    on = f.day("on") or today
    reason = f.text("reason", required=True, max_length=LONG, multiline=True)
    f.errors.raise_if_any()
    return WithdrawalForm(on, reason)


EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


@dataclass(frozen=True)
class InvitationForm:
    """An invitation, as submitted."""

    email: str
    role: MemberRole
    partner_id: str | None


def parse_invitation(data: Mapping[str, str]) -> InvitationForm:
    """Parse the invite form; raises ``FormErrors``."""
    f = Fields(data)
    email = f.text("email", required=True, max_length=254)
    if email and not EMAIL.match(email):
        f.errors.add("email", N_("Enter a valid e-mail address."))
    role = f.choice("role", MemberRole)
    partner_id = f.text("partner_id", max_length=36) or None
    if role is MemberRole.MEMBER and partner_id is None:
        f.errors.add("partner_id", N_("A member represents a partner: choose one."))
    if role is not MemberRole.MEMBER:
        partner_id = None
    f.errors.raise_if_any()
    assert role is not None  # noqa: S101 - checked just above
    return InvitationForm(email, role, partner_id)


@dataclass(frozen=True)
class AccountForm:
    """A new account's details, as submitted."""

    display_name: str
    password: str


def parse_new_account(
    data: Mapping[str, str], password_problem: str | None
) -> AccountForm:
    """Parse the accept-invitation form for a new account; raises ``FormErrors``."""
    f = Fields(data)
    name = f.text("display_name", required=True, max_length=100)
    password = str(data.get("password", ""))
    if password_problem is not None:
        f.errors.add("password", PASSWORD_MESSAGES[password_problem])
    elif password != str(data.get("password_again", "")):
        f.errors.add("password_again", N_("The two passwords differ."))
    f.errors.raise_if_any()
    return AccountForm(name, password)


PASSWORD_MESSAGES = {
    "password.too_short": N_("Use at least 8 characters."),
    "password.too_long": N_("Use at most 128 characters."),
    "password.too_common": N_(
        "This password is among the most common ones: choose another."
    ),
}


@dataclass(frozen=True)
class PledgeForm:
    """A commitment, as submitted."""

    partner_id: str
    pledge: Pledge


def parse_pledge(data: Mapping[str, str]) -> PledgeForm:
    """Parse the pledge form; raises ``FormErrors``."""
    f = Fields(data)
    partner_id = f.text("partner_id", required=True, max_length=36)
    kind = f.choice("kind", ContributionKind)
    amount = f.amount("amount")
    daily_rate = f.amount("daily_rate", required=False)
    starts_on = f.day("starts_on", required=True)
    ends_on = f.day("ends_on", required=True)
    covers = f.text("covers", max_length=500)
    funding = f.choice("funding", Funding)
    licence = f.text("licence", max_length=200)
    method = f.text("valuation_method", max_length=LONG, multiline=True)
    if kind is not ContributionKind.HUMAN:
        daily_rate = None
    if kind is ContributionKind.DATA_SET and not licence:
        f.errors.add("licence", "commitment.licence_required")
    if kind is ContributionKind.IN_KIND and not method:
        f.errors.add("valuation_method", "commitment.valuation_method_required")
    if starts_on and ends_on and ends_on < starts_on:
        f.errors.add("ends_on", "period.ends_before_start")
    f.errors.raise_if_any()
    if (
        kind is None
        or amount is None
        or starts_on is None
        or ends_on is None
        or funding is None
    ):
        raise f.errors
    pledge = Pledge(
        kind,
        amount,
        starts_on,
        ends_on,
        covers,
        funding,
        daily_rate=daily_rate,
        licence=licence,
        valuation_method=method,
    )
    try:
        pledge.check()
    except RuleViolated as error:
        f.rule(RULE_FIELDS.get(error.code, ""), error)
        raise f.errors from None
    return PledgeForm(partner_id, pledge)


RULE_FIELDS = {
    "amount.not_positive": "amount",
    "amount.too_large": "amount",
    "amount.too_precise": "amount",
    "daily_rate.not_positive": "daily_rate",
    "daily_rate.too_large": "daily_rate",
    "daily_rate.too_precise": "daily_rate",
    "period.ends_before_start": "ends_on",
    "commitment.reason_required": "reason",
    "commitment.unchanged": "amount",
    "contribution.description_required": "description",
    "contribution.before_period": "delivered_on",
}


@dataclass(frozen=True)
class AmendmentForm:
    """A commitment's amendment, as submitted."""

    amount: Decimal
    starts_on: date
    ends_on: date
    reason: str


def parse_amendment(data: Mapping[str, str]) -> AmendmentForm:
    """Parse the amend form; raises ``FormErrors``."""
    f = Fields(data)
    amount = f.amount("amount")
    starts_on = f.day("starts_on", required=True)
    ends_on = f.day("ends_on", required=True)
    reason = f.text("reason", required=True, max_length=LONG, multiline=True)
    if starts_on and ends_on and ends_on < starts_on:
        f.errors.add("ends_on", "period.ends_before_start")
    f.errors.raise_if_any()
    if amount is None or starts_on is None or ends_on is None:
        raise f.errors
    return AmendmentForm(amount, starts_on, ends_on, reason)


@dataclass(frozen=True)
class DeliveryForm:
    """A delivered contribution, as submitted (the file is handled apart)."""

    delivered_on: date
    amount: Decimal
    description: str


def parse_delivery(data: Mapping[str, str], *, today: date) -> DeliveryForm:
    """Parse the delivery form; raises ``FormErrors``."""
    f = Fields(data)
    delivered_on = f.day("delivered_on") or today
    amount = f.amount("amount")
    description = f.text("description", required=True, max_length=LONG, multiline=True)
    f.errors.raise_if_any()
    if amount is None:
        raise f.errors
    return DeliveryForm(delivered_on, amount, description)


@dataclass(frozen=True)
class BodyForm:
    """A governance body, as submitted."""

    name: str
    members: dict[str, int]
    rule: VotingRule


def parse_body(data: Mapping[str, str], partner_ids: list[str]) -> BodyForm:
    """Parse the body form: ``member-<id>`` ticks and ``weight-<id>`` weights."""
    f = Fields(data)
    name = f.text("name", required=True, max_length=120)
    members: dict[str, int] = {}
    for partner_id in partner_ids:
        if data.get(f"member-{partner_id}"):
            weight = str(data.get(f"weight-{partner_id}", "1")).strip() or "1"
            if not is_whole_number(weight) or not 1 <= int(weight) <= 100:
                f.errors.add(f"weight-{partner_id}", "body.weight_invalid")
                continue
            members[partner_id] = int(weight)
    if not members:
        f.errors.add("members", "body.members_required")
    quorum = f.amount("quorum")
    if quorum is not None and quorum > 100:
        f.errors.add("quorum", "body.quorum_invalid")
    majority = f.choice("majority", Majority)
    veto = str(data.get("veto_days", "0")).strip() or "0"
    if not is_whole_number(veto) or int(veto) > 90:
        f.errors.add("veto_days", "body.veto_days_invalid")
    f.errors.raise_if_any()
    if quorum is None or majority is None:
        raise f.errors
    rule = VotingRule(
        quorum=quorum / 100,
        quorum_by_weight=bool(data.get("by_weight")),
        majority=majority,
        veto_days=int(veto),
    )
    return BodyForm(name, members, rule)


@dataclass(frozen=True)
class ProxyForm:
    """A delegation, as submitted."""

    from_partner: str
    to_partner: str
    valid_from: date
    valid_until: date


def parse_proxy(data: Mapping[str, str]) -> ProxyForm:
    """Parse the delegation form; raises ``FormErrors``."""
    f = Fields(data)
    from_partner = f.text("from_partner", required=True, max_length=36)
    to_partner = f.text("to_partner", required=True, max_length=36)
    valid_from = f.day("valid_from", required=True)
    valid_until = f.day("valid_until", required=True)
    if valid_from and valid_until and valid_until < valid_from:
        f.errors.add("valid_until", "period.ends_before_start")
    f.errors.raise_if_any()
    if valid_from is None or valid_until is None:
        raise f.errors
    return ProxyForm(from_partner, to_partner, valid_from, valid_until)


@dataclass(frozen=True)
class MotionForm:
    """A proposal, as submitted (the document is handled apart)."""

    body_id: str
    title: str
    text: str
    options: tuple[str, ...]
    mode: str
    closes_at: datetime | None
    meeting_on: date | None


def parse_motion(data: Mapping[str, str], *, zone: ZoneInfo) -> MotionForm:
    """Parse the table-a-proposal form; the closing time is read in ``zone``."""
    f = Fields(data)
    body_id = f.text("body_id", required=True, max_length=36)
    title = f.text("title", required=True)
    text = f.text("text", max_length=20_000, multiline=True)
    custom = [
        line.strip()
        for line in str(data.get("options", "")).splitlines()
        if line.strip()
    ]
    options = tuple(custom) if custom else DEFAULT_OPTIONS
    if custom and (
        len(custom) < 2
        or len(set(custom)) != len(custom)
        or any(len(o) > 100 for o in custom)
    ):
        f.errors.add("options", "proposal.options_invalid")
    mode = str(data.get("mode", "")).strip()
    if mode not in {"meeting", "written"}:
        f.errors.add("mode", "proposal.mode_invalid")
    closes_at = None
    meeting_on = None
    if mode == "written":
        closes_at = _moment(f, "closes_at", zone)
    if mode == "meeting":
        meeting_on = f.day("meeting_on", required=True)
    f.errors.raise_if_any()
    return MotionForm(body_id, title, text, options, mode, closes_at, meeting_on)


def _moment(f: Fields, name: str, zone: ZoneInfo) -> datetime | None:
    value = str(f.data.get(name, "")).strip()
    try:
        local = datetime.fromisoformat(value)
    except ValueError:
        f.errors.add(name, N_("Enter a date and time."))
        return None
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone)
    try:
        return local.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 shifted out of range by the offset
        f.errors.add(name, N_("Enter a date and time."))
        return None


@dataclass(frozen=True)
class VoteForm:
    """A vote, as submitted."""

    partner_id: str
    option: str
    reason: str


def parse_vote(data: Mapping[str, str]) -> VoteForm:
    """Parse the vote form; raises ``FormErrors``."""
    f = Fields(data)
    partner_id = f.text("partner_id", required=True, max_length=36)
    option = f.text("option", required=True, max_length=100)
    reason = f.text("reason", max_length=LONG, multiline=True)
    f.errors.raise_if_any()
    return VoteForm(partner_id, option, reason)


@dataclass(frozen=True)
class RecordedDecisionForm:
    """A decision taken in a meeting, as submitted (the minutes are handled apart)."""

    body_id: str
    title: str
    text: str
    outcome: Outcome
    decided_on: date
    present: tuple[str, ...]


def parse_recorded_decision(
    data: Mapping[str, str], partner_ids: list[str]
) -> RecordedDecisionForm:
    """Parse the record-a-decision form; raises ``FormErrors``."""
    f = Fields(data)
    body_id = f.text("body_id", required=True, max_length=36)
    title = f.text("title", required=True)
    text = f.text("text", max_length=20_000, multiline=True)
    outcome = f.choice("outcome", Outcome)
    decided_on = f.day("decided_on", required=True)
    present = tuple(p for p in partner_ids if data.get(f"present-{p}"))
    if not present:
        f.errors.add("present", "decision.present_required")
    if outcome not in (None, Outcome.ADOPTED, Outcome.REJECTED):
        f.errors.add("outcome", "decision.outcome_invalid")
    f.errors.raise_if_any()
    if outcome is None or decided_on is None:
        raise f.errors
    return RecordedDecisionForm(body_id, title, text, outcome, decided_on, present)


@dataclass(frozen=True)
class ScheduleForm:
    """A reporting obligation, one-off or periodic, as submitted."""

    funder: str
    title: str
    kind: ReportKind
    responsible_id: str | None
    periodic: bool
    due_on: date | None
    first_period_start: date | None
    every_months: int
    due_days: int
    count: int


def _small_int(f: Fields, name: str, default: str, top: int) -> int:
    value = str(f.data.get(name, default)).strip() or default
    if not is_whole_number(value) or int(value) > top:
        f.errors.add(name, N_("Enter a whole number."))
        return 0
    return int(value)


def parse_schedule(data: Mapping[str, str]) -> ScheduleForm:
    """Parse the schedule-a-report form; raises ``FormErrors``."""
    f = Fields(data)
    funder = f.text("funder", required=True)
    title = f.text("title", required=True)
    kind = f.choice("kind", ReportKind)
    responsible = f.text("responsible_id", max_length=64) or None
    periodic = data.get("mode") == "periodic"
    due_on = None if periodic else f.day("due_on", required=True)
    first = f.day("first_period_start", required=True) if periodic else None
    every = _small_int(f, "every_months", "6", 24) if periodic else 0
    due_days = _small_int(f, "due_days", "30", 365) if periodic else 0
    count = _small_int(f, "count", "4", 60) if periodic else 0
    f.errors.raise_if_any()
    if kind is None:
        raise f.errors
    return ScheduleForm(
        funder,
        title,
        kind,
        responsible,
        periodic,
        due_on,
        first,
        every,
        due_days,
        count,
    )


@dataclass(frozen=True)
class IndicatorForm:
    """An indicator's definition, as submitted."""

    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    target_on: date
    measured_by: str


def parse_indicator(data: Mapping[str, str]) -> IndicatorForm:
    """Parse the define-an-indicator form; raises ``FormErrors``."""
    f = Fields(data)
    name = f.text("name", required=True)
    unit = f.text("unit", required=True, max_length=40)
    baseline = f.amount("baseline")
    target = f.amount("target")
    target_on = f.day("target_on", required=True)
    measured_by = f.text("measured_by")
    if baseline is not None and baseline == target:
        f.errors.add("target", "indicator.target_equals_baseline")
    f.errors.raise_if_any()
    if baseline is None or target is None or target_on is None:
        raise f.errors
    return IndicatorForm(name, unit, baseline, target, target_on, measured_by)


@dataclass(frozen=True)
class MeasurementForm:
    """A measurement, as submitted."""

    value: Decimal
    on: date
    source: str


def parse_measurement(data: Mapping[str, str], *, today: date) -> MeasurementForm:
    """Parse the record-a-measurement form; raises ``FormErrors``."""
    f = Fields(data)
    value = f.amount("value")
    on = f.day("on") or today
    source = f.text("source", required=True)
    f.errors.raise_if_any()
    if value is None:
        raise f.errors
    return MeasurementForm(value, on, source)


def parse_days_before(data: Mapping[str, str]) -> tuple[int, ...]:
    """Parse "30, 14, 7, 1" into days before a deadline; raises ``FormErrors``.

    Empty means no reminder before the day itself. The range is the domain's rule.
    """
    errors = FormErrors()
    text = str(data.get("days_before", "")).strip()
    parts = [p for p in re.split(r"[,;\s]+", text) if p]
    if len(text) > 100 or not all(is_whole_number(p) and len(p) <= 4 for p in parts):
        errors.add(
            "days_before", N_("Enter whole numbers of days separated by commas.")
        )
    errors.raise_if_any()
    return tuple(int(p) for p in parts)


@dataclass(frozen=True)
class PreferencesForm:
    """How a person wants reminders, as submitted."""

    delivery: Delivery
    language: str


def parse_preferences(
    data: Mapping[str, str], languages: tuple[str, ...]
) -> PreferencesForm:
    """Parse the notification preferences form; raises ``FormErrors``."""
    f = Fields(data)
    delivery = f.choice("delivery", Delivery)
    language = str(data.get("language", "")).strip()
    if language not in languages:
        f.errors.add("language", N_("Choose one of the options."))
    f.errors.raise_if_any()
    assert delivery is not None  # noqa: S101 - an error was raised otherwise
    return PreferencesForm(delivery, language)


def _web_address(f: Fields, name: str, *, required: bool) -> str:
    url = f.text(name, required=required, max_length=2000)
    if url and not is_web_address(url):
        f.errors.add(name, N_("Give an address starting with http:// or https://."))
    return url


def parse_capitalisation(
    data: Mapping[str, str], kind: CapitalisationKind, *, today: date
) -> CapitalisationEntry:
    """Parse a capitalisation entry of ``kind``; raises ``FormErrors``.

    Shape only (required, lengths, dates, http(s) addresses); what an entry must
    say is the domain's rule.
    """
    f = Fields(data)
    title = f.text("title", required=True)
    entry: CapitalisationEntry | None = None
    if kind is CapitalisationKind.LESSON:
        entry = Lesson(
            title,
            f.text("worked", max_length=LONG, multiline=True),
            f.text("did_not_work", max_length=LONG, multiline=True),
            f.text("for_whom", required=True),
        )
    elif kind is CapitalisationKind.ASSET:
        asset_type = f.choice("asset_type", AssetType)
        description = f.text("description", max_length=LONG, multiline=True)
        licence = f.text("licence", required=True)
        url = _web_address(f, "url", required=True)
        if asset_type is not None:
            entry = ReusableAsset(title, asset_type, description, licence, url)
    elif kind is CapitalisationKind.REPLICATION:
        reused_by = f.text("reused_by", required=True)
        on = f.day("on") or today
        entry = Replication(
            title, reused_by, on, f.text("adaptation", max_length=LONG, multiline=True)
        )
    else:
        on = f.day("on") or today
        audience = f.text("audience", required=True)
        place = f.text("place")
        url = _web_address(f, "url", required=False)
        entry = Dissemination(title, on, audience, place, url)
    f.errors.raise_if_any()
    assert entry is not None  # noqa: S101 - an error was raised otherwise
    return entry


def parse_reason(data: Mapping[str, str]) -> str:
    """The mandatory reason of an amendment or a withdrawal; raises ``FormErrors``."""
    f = Fields(data)
    reason = f.text("reason", required=True, max_length=LONG, multiline=True)
    f.errors.raise_if_any()
    return reason


@dataclass(frozen=True)
class PersonalDataForm:
    """Whether the project handles personal data, and who answers for it."""

    handles_personal_data: bool
    data_protection_partner_id: str | None


def parse_personal_data(
    data: Mapping[str, str], partner_ids: list[str]
) -> PersonalDataForm:
    """Parse the personal data form; raises ``FormErrors``."""
    errors = FormErrors()
    answer = str(data.get("handles_personal_data", "")).strip()
    partner_id = str(data.get("data_protection_partner_id", "")).strip() or None
    if answer not in {"yes", "no"}:
        errors.add("handles_personal_data", N_("Choose one of the options."))
    if partner_id is not None and partner_id not in partner_ids:
        errors.add("data_protection_partner_id", N_("Choose one of the options."))
    errors.raise_if_any()
    return PersonalDataForm(answer == "yes", partner_id)


def parse_involvement(data: Mapping[str, str]) -> str:
    """How end beneficiaries are involved ("" clears it); raises ``FormErrors``."""
    f = Fields(data)
    description = f.text("beneficiary_involvement", max_length=LONG, multiline=True)
    f.errors.raise_if_any()
    return description
