"""The decisions' forms: a governance body, a proxy, a motion, a vote, a decision
recorded from a meeting."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from governance.voting import DEFAULT_OPTIONS, Majority, Outcome, VotingRule
from web.forms.fields import LONG, Fields, is_whole_number
from web.i18n import N_


@dataclass(frozen=True)
class BodyForm:
    """A governance body, as submitted."""

    name: str
    members: dict[str, int]
    rule: VotingRule


def parse_body(data: Mapping[str, str], partner_ids: list[str]) -> BodyForm:
    """Parse the body form: ``member-<id>`` ticks and ``weight-<id>`` weights.

    Shape only (whole numbers, at least one member ticked); the bounds of weights,
    quorum and veto window are the domain's rule (``field`` ``members``,
    ``quorum``, ``veto_days``).
    """
    f = Fields(data)
    name = f.text("name", required=True, max_length=120)
    members: dict[str, int] = {}
    for partner_id in partner_ids:
        if data.get(f"member-{partner_id}"):
            weight = str(data.get(f"weight-{partner_id}", "1")).strip() or "1"
            if not is_whole_number(weight):
                f.errors.add(f"weight-{partner_id}", "body.weight_invalid")
                continue
            members[partner_id] = int(weight)
    if not members:
        f.errors.add("members", "body.members_required")
    quorum = f.portion("quorum")
    majority = f.choice("majority", Majority)
    veto = str(data.get("veto_days", "0")).strip() or "0"
    if not is_whole_number(veto):
        f.errors.add("veto_days", "body.veto_days_invalid")
    f.errors.raise_if_any()
    if quorum is None or majority is None:
        raise f.errors
    rule = VotingRule(
        quorum=quorum,
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
    # Length is shape; two different options at least is the domain's rule.
    if any(len(o) > 100 for o in custom):
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
