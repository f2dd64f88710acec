"""R8: generated form posts against every POST route of the app.

Every POST route the app declares is fuzzed (a new route is covered without a change
here), by a coordinator holding a valid CSRF token, on SQLite and PostgreSQL. Each
post is built by hypothesis from the names of every field any form reads, each one
absent, plausible (a real partner id, an enum value, a valid date) or hostile
(unicode, huge, empty, NaN, infinity, negative, unicode digits, JSON, impossible
dates), with duplicated and unknown fields, urlencoded or multipart, plain or htmx.

Three properties hold for every post: no answer is a 5xx, a refused post (4xx)
appends no event, and an accepted one records no line break in a one-line field (a
name, a title: anything not written in a textarea). ``CONSORTIUM_SOAK=1`` posts
1,000 times per route instead of 30.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from starlette.routing import Route
from starlette.testclient import TestClient

from governance.actor import Actor
from governance.convention.values import DocumentKind
from governance.errors import RuleViolated
from governance.financing.changes import AmendmentKind
from governance.financing.statement_values import RefusalReason, statement_id
from governance.financing.values import (
    CostCategory,
    Expense,
    IndirectBase,
    PlanVersionKind,
    PublicFunder,
    ResourceSource,
)
from governance.values import (
    AuthorityLevel,
    ContributionKind,
    Funding,
    MemberRole,
    Motion,
    Paper,
    PartnerKind,
    PartnerRole,
    Phase,
    Pledge,
    ReportKind,
)
from governance.voting import DEFAULT_OPTIONS, Majority, Outcome, VotingRule
from notifications.checkpoints import load_or_create_key, seal_checkpoint
from notifications.emails import Delivery
from tests.support.builders import a_lesson
from tests.support.expenses import a_declared_expense, reporting_periods
from tests.support.soak import scaled
from tests.support.webhooks import webhook_ids
from tests.web.conftest import (
    World,
    build_world,
    csrf,
    event_count,
    login,
    stores_of,
)
from web.app import create_app
from web.settings import Settings

# 15 posts per route keep each backend near a minute; CONSORTIUM_FUZZ_POSTS overrides.
POSTS_PER_ROUTE = int(os.environ.get("CONSORTIUM_FUZZ_POSTS", "0")) or scaled(15, 1000)
# Who fuzzes a route: the coordinator, except where only another role gets past the
# permission check (a coordinator represents no partner, so cannot vote or veto).
ROLE_FOR = {
    "vote": "member",
    "veto": "member",
    "review": "financer",
    "countersign": "financer",
    # Amendments: only the financer approves or refuses.
    "approve": "financer",
    "refuse": "financer",
    "accept": "financer",
}
SESSION_ROUTES = {"/login", "/logout"}


def _post_routes() -> list[str]:
    """Every POST route of the app, read from an app that is built but not started."""
    app = create_app(Settings(data_dir=Path(tempfile.gettempdir()), secret_key="x"))
    return [
        r.path
        for r in app.routes
        if isinstance(r, Route) and r.methods and "POST" in r.methods
    ]


POST_ROUTES = _post_routes()


# -- what a post is made of ---------------------------------------------------------

# No lone surrogates: a browser cannot encode them in a form either.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
HUGE = st.builds(
    lambda chunk, times: chunk * times,
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=4),
    st.sampled_from([201, 1_001, 4_001, 20_001, 300_000]),
)
NUMBERS = st.one_of(
    st.sampled_from(
        [
            "NaN",
            "nan",
            "-NaN",
            "sNaN",
            "inf",
            "-inf",
            "Infinity",
            "-1",
            "0",
            "-0",
            "0.0",
            "1e308",
            "1E5",
            "0x10",
            "1_000",
            "١٢٣",
            "²",
            "³⁴",
            "Ⅻ",
            "１２",
            "99999999999999999999",
            "0.0000001",
            "1,5",
            "1 200,50",
            "1.200,50",
            "1,200.50",
            " ",
            "+5",
            "5-",
            "--5",
            "1..2",
            "12%",
            "€5",
            "101",
            "1000",
        ]
    ),
    st.integers().map(str),
    st.floats().map(str),
    st.decimals().map(str),
)
DATES = st.one_of(
    st.sampled_from(
        [
            "2026-02-30",
            "0000-01-01",
            "0001-01-01",
            "9999-12-31",
            "2026-13-01",
            "2026-1-1",
            "٢٠٢٦-٠١-٠١",
            "2026-02-01T10:00",
            "2026-02-01T25:00",
            "0001-01-01T00:00",
            "9999-12-31T23:59",
            "1970-01-01",
            "-2026-01-01",
            "20260101",
            "2026-W01",
            "2026-02-01T10:00+14:00",
            "2026-02-01T10:00Z",
            "today",
            "2026/02/01",
            "01/02/2026",
        ]
    ),
    st.dates().map(date.isoformat),
    st.datetimes().map(datetime.isoformat),
)
WRONG_TYPES = st.sampled_from(
    [
        "[]",
        "{}",
        "null",
        "true",
        "false",
        "None",
        '{"a": [1, 2]}',
        "<script>x</script>",
        "' OR 1=1 --",
        "=cmd|' /C calc'!A0",
        "../../etc/passwd",
        "\x00",
        "\r\n",
        "%00",
    ]
)
# Digits that are not ASCII: "²".isdigit() is true, yet int("²") fails.
ODD_DIGITS = st.text(
    st.characters(categories=("Nd", "No"), exclude_characters="0123456789"),
    min_size=1,
    max_size=4,
)
# Every character ``str.splitlines`` breaks on, inside otherwise plausible text: a
# one-line field (a name, a title) must refuse it, a multi-line one may keep it.
LINE_BREAKS = [
    "\r\n",
    "\n",
    "\r",
    "\v",
    "\f",
    "\x1c",
    "\x1d",
    "\x1e",
    "\x85",
    "\u2028",
    "\u2029",
]
LINE_BROKEN = st.builds(
    lambda before, line_break, after: before + line_break + after,
    st.text(
        st.characters(codec="utf-8", categories=("L", "N")), min_size=1, max_size=10
    ),
    st.sampled_from(LINE_BREAKS),
    st.text(
        st.characters(codec="utf-8", categories=("L", "N")), min_size=1, max_size=10
    ),
)
HOSTILE = st.one_of(
    TEXT, NUMBERS, ODD_DIGITS, DATES, WRONG_TYPES, LINE_BROKEN, st.just("")
)
# Second-factor codes: six digits to ``str.isdigit``, not all of them 0-9.
ODD_CODES = st.one_of(
    st.sampled_from(["12345²", "١٢٣٤٥٦", "１２３４５６", "۱۲۳۴۵۶", "12 34 5⁶"]),
    st.text(st.characters(categories=("Nd", "No")), min_size=6, max_size=6).filter(
        lambda code: not code.isascii()
    ),
)

DAY_FIELDS = [
    "call_opens_on",
    "eligible_from",
    "eligible_until",
    "decided_on",
    "delivered_on",
    "due_on",
    "ends_on",
    "first_period_start",
    "joined_on",
    "meeting_on",
    "on",
    "paper_signed_on",
    "starts_on",
    "target_on",
    "valid_from",
    "valid_until",
    # The work plan (issue 16, §5).
    "planned_on",
    "reached_on",
    "spent_on",
]
NUMBER_FIELDS = [
    "amount",
    "baseline",
    "daily_rate",
    "quorum",
    "target",
    "value",
    "veto_days",
    "every_months",
    "due_days",
    "count",
    "person_days",
    "year",
    "max_funder_rate",
    "max_partner_rate",
    "min_cofinancing",
    "indirect_rate",
    "equipment_cap",
    "reallocation_share",
    "amount_excl",
    "amount_incl",
]
TEXT_FIELDS = [
    "acronym",
    "axis",
    "call_funder",
    "call_name",
    "call_reference",
    "covers",
    "description",
    "display_name",
    "funder",
    "licence",
    "measured_by",
    "name",
    "reason",
    "rna",
    "siret",
    "source",
    "summary",
    "territory",
    "text",
    "title",
    "unit",
    "valuation_method",
    "comment",
    "password",
    "password_again",
    "next",
    "for_whom",
    "reused_by",
    "audience",
    "place",
    "worked",
    "did_not_work",
    "adaptation",
    "beneficiary_involvement",
    "label",
    "work_package",
    "note",
    "supplier",
    "invoice_number",
]
# Written in a textarea: the only fields (of a form, of an event) that may hold a
# line break. Every other text is one line: a name, a title, an axis, a funder…
MULTI_LINE = {
    "adaptation",
    "beneficiary_involvement",
    "comment",
    "description",
    "did_not_work",
    "reason",
    "summary",
    "text",
    "valuation_method",
    "worked",
    "note",
}
# Issue 16: the amendments' and the convention's documents' fields.
TEXT_FIELDS += ["signed_by", "note"]
DAY_FIELDS += ["signed_on"]
# Issue 16 §7: the call's rules.
NUMBER_FIELDS += ["budget_floor", "budget_ceiling", "max_duration_months"]
DAY_FIELDS += ["selection_committee_on"]
TEXT_FIELDS += ["contact_name", "contact_email"]

# Issue 16 §6: the financial report's fields (an explanation is a textarea).
TEXT_FIELDS += ["explanation", "signatory", "capacity", "certify"]
MULTI_LINE |= {"explanation"}
ONE_LINE_FIELDS = [
    name
    for name in TEXT_FIELDS
    if name not in MULTI_LINE and name not in {"password", "password_again", "next"}
]
CHOICES: dict[str, list[str]] = {
    "phase": [p.value for p in Phase],
    "kind": [
        k.value
        for k in (*PartnerKind, *ContributionKind, *ReportKind, *PlanVersionKind)
    ],
    "category": [c.value for c in CostCategory],
    "source": [s.value for s in ResourceSource],
    "public_funder": [f.value for f in PublicFunder],
    "indirect_base": [b.value for b in IndirectBase],
    **{f"eligible_{c.value}": ["on"] for c in CostCategory},
    "authority_level": [a.value for a in AuthorityLevel],
    "role": [r.value for r in (*PartnerRole, *MemberRole)],
    "paper": [p.value for p in Paper],
    "funding": [f.value for f in Funding],
    "majority": [m.value for m in Majority],
    "outcome": [o.value for o in Outcome],
    "delivery": [d.value for d in Delivery],
    "mode": ["written", "meeting", "periodic", "one_off"],
    "decision": ["accept", "changes"],
    "language": ["en", "fr"],
    "include_indicators": ["yes", "no"],
    "by_weight": ["on"],
    "option": list(DEFAULT_OPTIONS),
    "refusal": [r.value for r in RefusalReason],
    "vat_recoverable": ["on"],
}
CHOICES["kind"] += [k.value for k in AmendmentKind]
# Issue 16 §3: the grant's forms, the financer's (the world has no grant: the first
# plausible grant is set up, then the payments are refused by their rules).
DAY_FIELDS += ["paid_on", "recovered_on"]
NUMBER_FIELDS += ["rate", "advance", *(f"interim_{n}_amount" for n in range(1, 5))]
TEXT_FIELDS += [*(f"interim_{n}_report" for n in range(1, 5)), "balance_report"]
ROLE_FOR.update(grant="financer", payments="financer", recoveries="financer")

# Daily use (issue 17): the closing and plausibility boxes, the chair's ballots.
CHOICES["confirm_close"] = ["yes"]
CHOICES["confirm_value"] = ["yes"]
PER_PARTNER = ("member", "weight", "present", "participant", "option", "through")

# Issue 16 §7: the call's rules tick kinds of partner.
CHOICES |= {
    f"{p}_kind_{k.value}": ["on"] for p in ("eligible", "lead") for k in PartnerKind
}

# Issue 18 §2: webhooks (an address, kinds ticked, the deletion confirmed); the
# portfolio's are a financer's.
CHOICES |= {
    "url": [
        "https://hooks.example.org/in",
        "http://127.0.0.1:9/in",
        "https://10.0.0.1/in",
        "https://u:p@hooks.example.org/",
        "file:///etc/passwd",
    ],
    "kind_all": ["on"],
    "kind_commitment_pledged": ["on"],
    "confirm_delete": ["yes"],
}


def _plausible(name: str, ids: dict[str, str]) -> st.SearchStrategy[str]:
    """A value the form would accept for ``name`` (so that posts get deep)."""
    if name in DAY_FIELDS:
        return st.dates(date(2025, 1, 1), date(2028, 12, 31)).map(date.isoformat)
    if name == "closes_at":
        soon = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=7)
        return st.just(soon.isoformat(timespec="minutes"))
    if name == "year":
        return st.sampled_from(["2026", "2027", ""])
    if name in NUMBER_FIELDS:
        return st.integers(1, 100).map(str)
    if name in CHOICES:
        return st.sampled_from(CHOICES[name])
    if name in {"partner_id", "from_partner", "to_partner"}:
        return st.sampled_from(ids["partners"].split())
    if name == "body_id":
        return st.just(ids["body_id"])
    if name == "proposal_id":
        return st.just(ids["proposal_id"])
    if name == "obligation_id":
        return st.sampled_from([ids["obligation_id"], ids["period_id"]])
    if name == "responsible_id":
        # A report's is a person; a deliverable's, a partner.
        return st.sampled_from([ids["account_id"], *ids["partners"].split()])
    if name == "lead_id":
        return st.sampled_from(ids["partners"].split())
    if name == "package_id":
        return st.just(ids["package_id"])
    if name == "email":
        return st.just("someone@test.example")
    if name == "code":
        return st.text(st.sampled_from("0123456789"), min_size=6, max_size=6)
    if name == "call_url":
        return st.just("https://calls.example/x")
    if name == "call_closing_dates":
        return st.just("2026-06-01, 2026-09-01")
    if name == "days_before":
        return st.just("30, 14, 7, 1")
    if name == "options":
        return st.just("Pour\nContre")
    if name.startswith(("member-", "present-", "participant-")):
        return st.just("on")
    if name.startswith("weight-"):
        return st.integers(1, 100).map(str)
    if name.startswith("option-"):
        return st.sampled_from([*DEFAULT_OPTIONS, ""])
    if name.startswith("through-"):
        return st.sampled_from(ids["partners"].split())
    return st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
        min_size=1,
        max_size=30,
    )


def _line_broken(name: str, ids: dict[str, str]) -> st.SearchStrategy[str]:
    """A plausible value for ``name`` on two lines (the break is inside: a form
    strips the ends)."""
    return st.builds(
        lambda value, line_break: value + line_break + value,
        _plausible(name, ids),
        st.sampled_from(LINE_BREAKS),
    )


def _hostile(name: str) -> st.SearchStrategy[str]:
    """A value the form must refuse, most often of the kind the field expects."""
    if name in DAY_FIELDS or name == "closes_at":
        return st.one_of(DATES, HOSTILE)
    if name in NUMBER_FIELDS or name.startswith("weight-") or name == "days_before":
        return st.one_of(NUMBERS, ODD_DIGITS, HOSTILE)
    if name == "code":
        return st.one_of(ODD_CODES, HOSTILE)
    if name in TEXT_FIELDS:
        return st.one_of(LINE_BROKEN, HOSTILE)
    return HOSTILE


def _field_names(ids: dict[str, str]) -> list[str]:
    per_partner = [
        f"{prefix}-{partner}"
        for partner in ids["partners"].split()
        for prefix in PER_PARTNER
    ]
    return sorted(
        {
            *DAY_FIELDS,
            *NUMBER_FIELDS,
            *TEXT_FIELDS,
            *CHOICES,
            "closes_at",
            "partner_id",
            "from_partner",
            "to_partner",
            "body_id",
            "obligation_id",
            "responsible_id",
            "lead_id",
            "package_id",
            "email",
            "code",
            "call_url",
            "call_closing_dates",
            "days_before",
            "options",
            "proposal_id",
            "amendment_id",
            *per_partner,
        }
    )


@st.composite
def posts(draw: st.DrawFn, ids: dict[str, str]) -> dict[str, Any]:
    """One generated post: its fields (maybe duplicated), encoding and headers.

    One post in five is plausible throughout except that every one-line field holds
    a line break: a route that reads any of them must refuse it.
    """
    if draw(st.integers(0, 4)) == 0:
        return {
            "pairs": [
                (name, draw(_line_broken(name, ids)))
                if name in ONE_LINE_FIELDS
                else (name, draw(_plausible(name, ids)))
                for name in _field_names(ids)
            ],
            "multipart": draw(st.booleans()),
            "upload": None,
            "htmx": draw(st.booleans()),
        }
    pairs: list[tuple[str, str]] = []
    for name in _field_names(ids):
        how = draw(
            st.sampled_from(
                ["absent", "plausible", "plausible", "plausible", "hostile"]
            )
        )
        if how == "plausible":
            pairs.append((name, draw(_plausible(name, ids))))
        elif how == "hostile":
            pairs.append((name, draw(_hostile(name))))
    if pairs and draw(st.integers(0, 3)) == 0:
        # One field far too long (the largest beyond the 256 KiB form limit).
        index = draw(st.integers(0, len(pairs) - 1))
        pairs[index] = (pairs[index][0], draw(HUGE))
    if pairs and draw(st.booleans()):
        # The same field twice, the second value differing (which one wins?).
        name, _ = draw(st.sampled_from(pairs))
        pairs.append((name, draw(HOSTILE)))
    pairs += draw(st.lists(st.tuples(TEXT, HOSTILE), max_size=3))
    multipart = draw(st.booleans())
    upload = None
    if multipart and draw(st.booleans()):
        upload = (
            draw(
                st.sampled_from(
                    ["document", "evidence", "minutes", "attachment", "file"]
                )
            ),
            draw(
                st.sampled_from(
                    ["a.pdf", "", "../../etc/passwd", "é\u202e.pdf", "x" * 300]
                )
            ),
            draw(st.binary(max_size=2_000)),
            draw(st.sampled_from(["application/pdf", "text/csv", "", "image/png"])),
        )
    return {
        "pairs": pairs,
        "multipart": multipart,
        "upload": upload,
        "htmx": draw(st.booleans()),
    }


def send(client: TestClient, url: str, post: dict[str, Any], token: str) -> Any:
    """Send one generated post with the session's CSRF token in the header."""
    headers = {"X-CSRF-Token": token}
    if post["htmx"]:
        headers["HX-Request"] = "true"
    if not post["multipart"]:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return client.post(
            url,
            content=urlencode(post["pairs"]).encode(),
            headers=headers,
            follow_redirects=False,
        )
    headers["Content-Type"] = f"multipart/form-data; boundary={BOUNDARY}"
    return client.post(
        url,
        content=multipart_body(post["pairs"], post["upload"]),
        headers=headers,
        follow_redirects=False,
    )


BOUNDARY = "fuzz-boundary-7Mz"


def multipart_body(
    pairs: list[tuple[str, str]], upload: tuple[str, str, bytes, str] | None
) -> bytes:
    """A multipart body as a browser sends it (httpx adds an empty file otherwise)."""

    def quoted(text: str) -> str:
        return (
            text.replace("\\", "\\\\")
            .replace('"', "%22")
            .replace("\r", "%0D")
            .replace("\n", "%0A")
        )

    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{quoted(name)}"'
        f"\r\n\r\n".encode()
        + value.encode()
        + b"\r\n"
        for name, value in pairs
    ]
    if upload is not None:
        field, filename, content, media_type = upload
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{quoted(filename)}"\r\n'
            f"Content-Type: {media_type}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


# -- a consortium where every path parameter names something real -------------------


def rich_world(client: TestClient, world: World, settings: Settings) -> dict[str, str]:
    """Commitment, body, proxy, proposal, report, indicator, checkpoint, invitation."""
    stores = stores_of(client)
    governance = stores.governance
    accounts = stores.accounts
    coordinator = accounts.by_email(world.emails["coordinator"])
    member = accounts.by_email(world.emails["member"])
    assert coordinator is not None
    assert member is not None
    me = Actor(coordinator.account_id)
    cid = world.consortium_id
    partners = [world.lead_id, world.partner_id, world.other_partner_id]
    commitment = governance.pledge(
        me,
        cid,
        world.partner_id,
        Pledge(
            ContributionKind.FINANCIAL,
            Decimal("1000"),
            date(2026, 1, 1),
            date(2026, 12, 31),
            "Coordination",
            Funding.CO_FINANCING,
        ),
    )
    rule = VotingRule(Decimal("0.5"), False, Majority.SIMPLE, 15)
    body = governance.establish_body(
        me, cid, name="COPIL", members=dict.fromkeys(partners, 1), rule=rule
    )
    today = datetime.now(UTC).date()
    proxy = governance.delegate_proxy(
        me,
        cid,
        from_partner=world.other_partner_id,
        to_partner=world.lead_id,
        valid_from=today,
        valid_until=today + timedelta(days=30),
    )
    proposal = governance.table_proposal(
        me,
        cid,
        body.id,
        Motion(
            "Budget",
            "Adopt the budget.",
            DEFAULT_OPTIONS,
            "written",
            closes_at=datetime.now(UTC) + timedelta(days=7),
        ),
    )
    report = governance.schedule_report(
        me,
        cid,
        funder="Funder",
        title="Activity",
        kind=ReportKind.ACTIVITY_REPORT,
        responsible_id=None,
        due_on=today + timedelta(days=60),
    )
    indicator = governance.define_indicator(
        me,
        cid,
        name="People",
        unit="people",
        baseline=Decimal("1"),
        target=Decimal("10"),
        target_on=today + timedelta(days=365),
        measured_by="Lab",
    )
    invitation = governance.issue_invitation(
        me, cid, MemberRole.PILOT_TEAM, None, datetime.now(UTC) + timedelta(days=7)
    )
    entry = governance.record_capitalisation(me, cid, a_lesson())
    line = governance.plan_expense(
        me, cid, Expense(world.lead_id, CostCategory.TRAVEL, "Trains", Decimal(900))
    )
    package = governance.define_work_package(
        me, cid, code="WP1", title="Coordination", lead_id=world.lead_id
    )
    deliverable = governance.plan_deliverable(
        me,
        cid,
        package_id=package.id,
        title="Study",
        due_on=today + timedelta(days=90),
        responsible_id=world.partner_id,
    )
    milestone = governance.plan_milestone(
        me, cid, package_id=package.id, title="Kick-off", planned_on=today
    )
    periods = reporting_periods(governance, me, cid, 1)
    expense = governance.declare_expense(
        me, cid, periods[0], world.partner_id, a_declared_expense()
    )
    statement = statement_id(str(cid), str(periods[0]), world.partner_id)
    governance.submit_statements(me, cid, periods[0])
    # Daily use (issue 17): a value to correct or withdraw.
    governance.measure_indicator(me, UUID(indicator.id), Decimal(2), today, "Count")
    measurement = governance.repository.get(UUID(indicator.id)).measurements[-1]
    stores.read_side.catch_up()
    checkpoint = seal_checkpoint(
        governance, stores.read_side, load_or_create_key(settings.audit_key_path)
    )
    assert checkpoint is not None
    stores.read_side.catch_up()
    today_now = datetime.now(UTC)
    return {
        "consortium_id": str(cid),
        "partner_id": world.partner_id,
        "account_id": member.account_id,
        "invitation_id": invitation.id,
        "token": "no-such-token",
        "commitment_id": commitment.id,
        "body_id": body.id,
        "proxy_id": proxy.id,
        "proposal_id": proposal.id,
        "obligation_id": report.id,
        "indicator_id": indicator.id,
        "checkpoint_id": checkpoint.id,
        "entry_id": entry.id,
        "line_id": line.id,
        "package_id": package.id,
        "deliverable_id": deliverable.id,
        "milestone_id": milestone.id,
        "period_id": str(periods[0]),
        "statement_id": str(statement),
        "statement_line_id": expense.id,
        "partners": " ".join(partners),
        "scope": str(periods[0]),
        "tranche_id": "no-such-tranche",
        "measurement_id": measurement.measurement_id,
        **webhook_ids(stores, world),
        "position": "1",
        # A personal access token of the coordinator, to revoke.
        "token_id": stores.accounts.api_tokens.create(
            me.account_id, name="Fuzz", scope="read", consortium_id=None, now=today_now
        )[1].token_id,
    }


def concrete(path: str, ids: dict[str, str]) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"no value for a parameter of {path}: add it to rich_world"
    return path


# -- the property -------------------------------------------------------------------


def _line_breaks(name: str, value: object) -> Iterator[str]:
    """The names of one-line fields holding a line break, anywhere inside ``value``."""
    if isinstance(value, str):
        if name not in MULTI_LINE and value and value.splitlines() != [value]:
            yield name
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            yield from _line_breaks(f.name, getattr(value, f.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _line_breaks(name, item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _line_breaks(name, key)
            yield from _line_breaks(name, item)


def one_line_fields_broken_since(client: TestClient, position: int) -> list[str]:
    """``Event.field`` for each one-line field recorded with a line break after
    ``position``."""
    governance = stores_of(client).governance
    broken = []
    for notification in governance.recorder.select_notifications(
        start=position + 1, limit=1_000
    ):
        event = governance.mapper.to_domain_event(notification)
        for name, value in vars(event).items():
            broken += [
                f"{type(event).__qualname__}.{n}" for n in _line_breaks(name, value)
            ]
    return broken


@dataclass
class Target:
    """One running app (per backend) that every route's fuzzing shares."""

    client: TestClient
    world: World
    ids: dict[str, str]
    backend: str
    token: str = ""
    role: str = ""
    totals: Counter[int] = field(default_factory=Counter)

    def log_in(self, role: str = "coordinator") -> None:
        login(self.client, self.world.emails[role])
        self.token = csrf(self.client)
        self.role = role


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    """The app on one backend, with a rich world; built once for all routes."""
    server = None
    url = None
    if request.param == "postgres":
        server = request.getfixturevalue("postgres_server")
        url = server.create_database()
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("fuzz"),
        database_url=url,
        secret_key="test-secret",
        scheduler=False,
        password_time_cost=1,
        password_memory_kib=8192,
    )
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        world = build_world(client)
        fuzzed = Target(
            client, world, rich_world(client, world, settings), request.param
        )
        fuzzed.log_in()
        yield fuzzed
    total = sum(fuzzed.totals.values())
    print(  # noqa: T201
        f"\nR8 {request.param}: {total} posts over {len(POST_ROUTES)} POST routes, "
        f"statuses {dict(sorted(fuzzed.totals.items()))}"
    )
    if server is not None and url is not None:
        server.drop_database(url)


AMENDMENTS = "/budget/amendments"


def _destructive_last(path: str) -> tuple[bool, bool, str]:
    """Routes that may end things (withdraw, revoke, close…) run after the others;
    amendments last of all, once the plan's own routes are done (they sign it)."""
    # Filing the plan's versions locks it (the convention's): after its lines.
    words = ("withdraw", "revoke", "cancel", "close", "veto", "phase", "log")
    words += ("budget/versions",)
    amending = AMENDMENTS in path
    return (amending, any(word in path for word in words), path)
    # Accepting the statement ends its review: after its lines are refused.
    words += ("statements/{statement_id}/accept",)
    return (any(word in path for word in words), path)


@pytest.mark.parametrize("route", sorted(POST_ROUTES, key=_destructive_last))
def test_fuzzed_posts_never_fail_and_refused_ones_record_nothing(
    target: Target, route: str
) -> None:
    client = target.client
    if AMENDMENTS in route:
        amendments_ready(target, route)
    if "/documents/" in route:
        document_ready(target)
    url = concrete(route, target.ids)
    role = ROLE_FOR.get(route.rsplit("/", 1)[-1], "coordinator")
    if route.startswith("/portfolio/"):
        role = "financer"
    if target.role != role:
        target.log_in(role)
    statuses: Counter[int] = Counter()

    @hypothesis_settings(
        max_examples=POSTS_PER_ROUTE,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(post=posts(target.ids))
    def one_post(post: dict[str, Any]) -> None:
        before = event_count(client)
        response = send(client, url, post, target.token)
        statuses[response.status_code] += 1
        assert response.status_code < 500, (response.status_code, post["pairs"])
        if response.status_code >= 400:
            assert event_count(client) == before, (response.status_code, post["pairs"])
        else:
            broken = one_line_fields_broken_since(client, before)
            assert not broken, (broken, post["pairs"])
        if route in SESSION_ROUTES:
            # Logging out (or in as nobody) ends the coordinator's session.
            target.log_in(role)

    one_post()

    target.totals.update(statuses)
    total = sum(statuses.values())
    print(  # noqa: T201
        f"R8 {target.backend} {route} as {role}: {total} posts, "
        f"statuses {dict(sorted(statuses.items()))}, 5xx 0, events on refusal 0"
    )
    assert total >= POSTS_PER_ROUTE


# -- what the fuzzing found, kept as plain examples ----------------------------------

FOUND = [
    # "²".isdigit() is true, yet int("²") raised: a 500 until is_whole_number.
    ("/consortia/{consortium_id}/bodies", {"veto_days": "²"}),
    (
        "/consortia/{consortium_id}/bodies",
        {"member-{partner_id}": "on", "weight-{partner_id}": "³⁴"},
    ),
    ("/consortia/{consortium_id}/reporting", {"mode": "periodic", "count": "²"}),
    ("/consortia/{consortium_id}/reporting/reminders", {"days_before": "30, ²"}),
    # Year 1 in Paris is before year 1 in UTC: astimezone overflowed.
    (
        "/consortia/{consortium_id}/proposals",
        {"mode": "written", "closes_at": "0001-01-01T00:00"},
    ),
    (
        "/consortia/{consortium_id}/proposals",
        {"mode": "written", "closes_at": "9999-12-31T23:59-05:00"},
    ),
    # A name or title on two lines was recorded as it came.
    (
        "/consortia/new",
        {"name": "Val\r\nBcc: x@evil.example", "call_name": "C", "call_funder": "F"},
    ),
    (
        "/consortia/{consortium_id}/partners",
        {"name": "Lab\u2028Bcc", "kind": "company", "role": "partner", "paper": "none"},
    ),
    (
        "/consortia/{consortium_id}/proposals",
        {
            "body_id": "{body_id}",
            "title": "T\n2",
            "mode": "meeting",
            "meeting_on": "2026-03-01",
        },
    ),
]


@pytest.mark.parametrize(("route", "fields"), FOUND)
def test_what_the_fuzzing_found_is_refused_with_a_message(
    client: TestClient,
    world: World,
    settings: Settings,
    route: str,
    fields: dict[str, str],
) -> None:
    ids = rich_world(client, world, settings)
    login(client, world.emails["coordinator"])
    before = event_count(client)
    body = {
        concrete(name, ids): concrete(value, ids)
        for name, value in {"name": "Body", "title": "T", **fields}.items()
    }

    response = client.post(
        concrete(route, ids),
        data={**body, "csrf_token": csrf(client)},
        follow_redirects=False,
    )

    assert response.status_code == 422
    assert event_count(client) == before


# -- amendments (issue 16 §4): fuzzed last, on the plan signed by then ---------------


def amendments_ready(target: Target, route: str) -> None:
    """Once: sign the plan (its own routes are done), draft an amendment with one
    line and propose another. Approve and refuse are fuzzed on the proposed one,
    the other routes on the draft (which the propose route may send on)."""
    ids = target.ids
    if "draft_amendment_id" not in ids:
        stores = stores_of(target.client)
        governance = stores.governance
        found = stores.accounts.by_email(target.world.emails["coordinator"])
        assert found is not None
        me, cid = Actor(found.account_id), target.world.consortium_id
        travel = Expense(target.world.lead_id, CostCategory.TRAVEL, "Car", Decimal(9))
        try:
            governance.plan_expense(me, cid, travel)
            for kind in (PlanVersionKind.APPLICATION, PlanVersionKind.CONVENTION):
                with contextlib.suppress(RuleViolated):  # filed while fuzzing
                    governance.file_plan_version(me, cid, kind, [])
        except RuleViolated:  # already signed while fuzzing the plan's routes
            pass
        drafts = []
        for reason in ("Réaffectation", "Prolongation"):
            drafted = governance.draft_amendment(
                me, cid, AmendmentKind.BUDGET_REALLOCATION, reason
            ).id
            governance.add_amendment_expense(me, cid, UUID(drafted), travel)
            drafts.append(drafted)
        governance.propose_amendment(me, cid, UUID(drafts[1]))
        stores.read_side.catch_up()
        ids["draft_amendment_id"], ids["proposed_amendment_id"] = drafts
    deciding = route.endswith(("/approve", "/refuse"))
    ids["amendment_id"] = ids[
        "proposed_amendment_id" if deciding else "draft_amendment_id"
    ]


# -- the convention's documents (issue 16 §7): one filed, to version and sign --------


def document_ready(target: Target) -> None:
    """Once: the coordinator files the funding agreement, with a PDF."""
    if "document_id" in target.ids:
        return
    stores = stores_of(target.client)
    found = stores.accounts.by_email(target.world.emails["coordinator"])
    assert found is not None
    evidence = stores.evidence.save(BytesIO(b"%PDF-1.4\n%%EOF\n"), "arrete.pdf")
    target.ids["document_id"] = stores.governance.file_document(
        Actor(found.account_id),
        target.world.consortium_id,
        DocumentKind.FUNDING_AGREEMENT,
        "Arrêté d'attribution",
        evidence,
    ).id
    stores.read_side.catch_up()
