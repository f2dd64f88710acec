"""The ReportingObligation aggregate: scheduling, drafting, submitting, reviewing.

Commands are checked on the events they record (``collect_events``); a refused
command records nothing and leaves the report where it stood.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import reduce
from typing import Any

import pytest

from governance.errors import RuleViolated
from governance.reporting import ReportingObligation
from governance.values import ReportKind, ReportStatus
from tests.support.builders import (
    COORDINATOR_ID,
    FUNDER,
    REPORT_DUE_ON,
    REPORT_PERIOD,
    a_spreadsheet,
    an_evidence,
    an_obligation,
)

pytestmark = pytest.mark.usefixtures("acting")

BASE_FIELDS = {
    "originator_id",
    "originator_version",
    "originator_topic",
    "timestamp",
    "actor_id",
}

REPORT_PDF = an_evidence(filename="rapport-s1.pdf")
INDICATORS = a_spreadsheet()

Emitted = list[tuple[type, dict[str, object]]]
Step = Callable[[ReportingObligation], None]


def emitted(obligation: ReportingObligation) -> Emitted:
    """The events recorded since last asked, as (type, the event's own fields)."""
    return [
        (type(e), {k: v for k, v in vars(e).items() if k not in BASE_FIELDS})
        for e in obligation.collect_events()
    ]


def draft(obligation: ReportingObligation) -> None:
    obligation.draft("Premier semestre : douze ateliers.", (REPORT_PDF,))


def submit(obligation: ReportingObligation) -> None:
    obligation.submit()


def request_changes(obligation: ReportingObligation) -> None:
    obligation.request_changes("Ajouter les indicateurs.")


def accept(obligation: ReportingObligation) -> None:
    obligation.accept("Conforme.")


# The steps from a new obligation to each status.
PATHS: dict[ReportStatus, list[Step]] = {
    ReportStatus.DUE: [],
    ReportStatus.DRAFTED: [draft],
    ReportStatus.SUBMITTED: [draft, submit],
    ReportStatus.CHANGES_REQUESTED: [draft, submit, request_changes],
    ReportStatus.ACCEPTED: [draft, submit, accept],
}


def obligation_in(status: ReportStatus) -> ReportingObligation:
    """An obligation taken to ``status``, its events already collected."""
    obligation = an_obligation()
    for step in PATHS[status]:
        step(obligation)
    obligation.collect_events()
    assert obligation.status is status
    return obligation


def statuses_except(*allowed: ReportStatus) -> list[Any]:
    return [
        pytest.param(status, id=status.value)
        for status in ReportStatus
        if status not in allowed
    ]


# -- scheduling -----------------------------------------------------------------------


def test_scheduling_records_the_obligation_with_its_trimmed_funder_and_title() -> None:
    obligation = an_obligation(
        "c-1",
        "s-1",
        funder="  Banque publique fictive ",
        title=" Bilan financier du premier semestre  ",
        kind=ReportKind.FINANCIAL_STATEMENT,
    )

    assert emitted(obligation) == [
        (
            ReportingObligation.Scheduled,
            {
                "consortium_id": "c-1",
                "series_id": "s-1",
                "funder": FUNDER,
                "title": "Bilan financier du premier semestre",
                "kind": ReportKind.FINANCIAL_STATEMENT,
                "responsible_id": COORDINATOR_ID,
                "period_start": REPORT_PERIOD[0],
                "period_end": REPORT_PERIOD[1],
                "due_on": REPORT_DUE_ON,
            },
        )
    ]


def test_a_new_obligation_is_due_with_nothing_written() -> None:
    obligation = an_obligation()

    assert (obligation.status, obligation.text, obligation.attachments) == (
        ReportStatus.DUE,
        "",
        (),
    )


def test_a_one_off_report_has_no_period_and_may_have_nobody_responsible() -> None:
    obligation = an_obligation(period=None, responsible_id=None)

    assert (
        obligation.period_start,
        obligation.period_end,
        obligation.responsible_id,
        obligation.due_on,
    ) == (None, None, None, REPORT_DUE_ON)


def test_a_report_may_be_due_on_the_last_day_of_its_period() -> None:
    obligation = an_obligation(due_on=REPORT_PERIOD[1])

    assert obligation.due_on == obligation.period_end


def test_the_event_names_who_scheduled_the_report() -> None:
    obligation = an_obligation()

    assert [e.actor_id for e in obligation.collect_events()] == [COORDINATOR_ID]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        pytest.param({"funder": ""}, "call.funder_required", id="no-funder"),
        pytest.param({"funder": "   "}, "call.funder_required", id="blank-funder"),
        pytest.param({"title": ""}, "reporting.title_required", id="no-title"),
        pytest.param({"title": " \t "}, "reporting.title_required", id="blank-title"),
        pytest.param(
            {"due_on": date(2026, 6, 29)},
            "reporting.due_before_period_end",
            id="due-the-day-before-the-end",
        ),
        pytest.param(
            {"due_on": date(2025, 12, 31)},
            "reporting.due_before_period_end",
            id="due-before-the-start",
        ),
    ],
)
def test_an_incomplete_or_incoherent_schedule_is_refused(
    overrides: dict[str, Any], code: str
) -> None:
    with pytest.raises(RuleViolated) as refused:
        an_obligation(**overrides)

    assert refused.value.code == code


# -- drafting -------------------------------------------------------------------------


def test_drafting_records_the_trimmed_text_and_the_attachments() -> None:
    obligation = obligation_in(ReportStatus.DUE)

    obligation.draft("  Douze ateliers, 140 personnes.\n", (REPORT_PDF, INDICATORS))

    assert emitted(obligation) == [
        (
            ReportingObligation.ReportDrafted,
            {
                "text": "Douze ateliers, 140 personnes.",
                "attachments": (REPORT_PDF, INDICATORS),
                "indicator_values": (),
            },
        )
    ]
    assert (obligation.status, obligation.text, obligation.attachments) == (
        ReportStatus.DRAFTED,
        "Douze ateliers, 140 personnes.",
        (REPORT_PDF, INDICATORS),
    )


def test_a_report_may_be_only_a_file() -> None:
    obligation = obligation_in(ReportStatus.DUE)

    obligation.draft("  ", (REPORT_PDF,))

    assert (obligation.text, obligation.attachments) == ("", (REPORT_PDF,))


def test_a_report_may_be_only_text() -> None:
    obligation = obligation_in(ReportStatus.DUE)

    obligation.draft("Douze ateliers.", ())

    assert (obligation.text, obligation.attachments) == ("Douze ateliers.", ())


def test_redrafting_replaces_the_text_and_keeps_earlier_attachments() -> None:
    obligation = obligation_in(ReportStatus.DRAFTED)

    obligation.draft("Version revue.", (INDICATORS, REPORT_PDF))

    assert emitted(obligation) == [
        (
            ReportingObligation.ReportDrafted,
            {
                "text": "Version revue.",
                "attachments": (REPORT_PDF, INDICATORS),
                "indicator_values": (),
            },
        )
    ]
    assert obligation.text == "Version revue."


def test_a_file_attached_twice_at_once_is_kept_once() -> None:
    obligation = obligation_in(ReportStatus.DUE)

    obligation.draft("Rapport", (REPORT_PDF, INDICATORS, REPORT_PDF))

    assert obligation.attachments == (REPORT_PDF, INDICATORS)


def test_a_file_with_another_name_is_another_attachment() -> None:
    obligation = obligation_in(ReportStatus.DRAFTED)
    renamed = an_evidence(filename="rapport-s1-v2.pdf")

    obligation.draft("Rapport", (renamed,))

    assert obligation.attachments == (REPORT_PDF, renamed)


@pytest.mark.parametrize(
    ("status", "text"),
    [
        pytest.param(ReportStatus.DUE, "", id="due-nothing"),
        pytest.param(ReportStatus.DUE, " \n ", id="due-blank"),
        # Earlier attachments do not make an empty redraft a report.
        pytest.param(ReportStatus.DRAFTED, "", id="drafted-nothing"),
        pytest.param(ReportStatus.CHANGES_REQUESTED, "  ", id="sent-back-blank"),
    ],
)
def test_drafting_nothing_is_refused(status: ReportStatus, text: str) -> None:
    obligation = obligation_in(status)
    before = (obligation.text, obligation.attachments)

    with pytest.raises(RuleViolated) as refused:
        obligation.draft(text, ())

    assert refused.value.code == "report.empty"
    assert emitted(obligation) == []
    assert (obligation.status, (obligation.text, obligation.attachments)) == (
        status,
        before,
    )


@pytest.mark.parametrize(
    "status",
    statuses_except(
        ReportStatus.DUE, ReportStatus.DRAFTED, ReportStatus.CHANGES_REQUESTED
    ),
)
def test_a_submitted_or_accepted_report_cannot_be_rewritten(
    status: ReportStatus,
) -> None:
    obligation = obligation_in(status)

    with pytest.raises(RuleViolated) as refused:
        obligation.draft("Correction tardive", (INDICATORS,))

    assert (refused.value.code, refused.value.params) == (
        "report.not_writable",
        {"status": status.value},
    )
    assert emitted(obligation) == []
    assert (obligation.status, obligation.attachments) == (status, (REPORT_PDF,))


# -- submitting -----------------------------------------------------------------------


def test_submitting_a_drafted_report_records_it() -> None:
    obligation = obligation_in(ReportStatus.DRAFTED)

    obligation.submit()

    assert emitted(obligation) == [(ReportingObligation.ReportSubmitted, {})]
    assert obligation.status is ReportStatus.SUBMITTED


@pytest.mark.parametrize("status", statuses_except(ReportStatus.DRAFTED))
def test_only_a_drafted_report_can_be_submitted(status: ReportStatus) -> None:
    obligation = obligation_in(status)

    with pytest.raises(RuleViolated) as refused:
        obligation.submit()

    assert refused.value.code == "report.not_drafted"
    assert emitted(obligation) == []
    assert obligation.status is status


# -- reviewing ------------------------------------------------------------------------


def test_accepting_a_submitted_report_records_the_trimmed_comment() -> None:
    obligation = obligation_in(ReportStatus.SUBMITTED)

    obligation.accept("  Conforme à la convention. ")

    assert emitted(obligation) == [
        (ReportingObligation.ReportAccepted, {"comment": "Conforme à la convention."})
    ]
    assert obligation.status is ReportStatus.ACCEPTED


def test_accepting_needs_no_comment() -> None:
    obligation = obligation_in(ReportStatus.SUBMITTED)

    obligation.accept("   ")

    assert emitted(obligation) == [
        (ReportingObligation.ReportAccepted, {"comment": ""})
    ]


def test_requesting_changes_records_the_comment_and_reopens_the_report() -> None:
    obligation = obligation_in(ReportStatus.SUBMITTED)

    obligation.request_changes(" Ajouter les indicateurs du T2. ")

    assert emitted(obligation) == [
        (
            ReportingObligation.ReportChangesRequested,
            {"comment": "Ajouter les indicateurs du T2."},
        )
    ]
    assert obligation.status is ReportStatus.CHANGES_REQUESTED
    assert (obligation.text, obligation.attachments) == (
        "Premier semestre : douze ateliers.",
        (REPORT_PDF,),
    )


@pytest.mark.parametrize("comment", ["", "  \n"], ids=["empty", "blank"])
def test_requesting_changes_without_saying_which_is_refused(comment: str) -> None:
    obligation = obligation_in(ReportStatus.SUBMITTED)

    with pytest.raises(RuleViolated) as refused:
        obligation.request_changes(comment)

    assert refused.value.code == "report.comment_required"
    assert emitted(obligation) == []
    assert obligation.status is ReportStatus.SUBMITTED


@pytest.mark.parametrize("status", statuses_except(ReportStatus.SUBMITTED))
@pytest.mark.parametrize(
    "review",
    [
        pytest.param(lambda o: o.accept("Conforme."), id="accept"),
        pytest.param(lambda o: o.request_changes("À revoir."), id="request-changes"),
        # Whether the report was submitted is asked before the comment.
        pytest.param(lambda o: o.request_changes(""), id="request-without-comment"),
    ],
)
def test_only_a_submitted_report_can_be_reviewed(
    status: ReportStatus, review: Step
) -> None:
    obligation = obligation_in(status)

    with pytest.raises(RuleViolated) as refused:
        review(obligation)

    assert refused.value.code == "report.not_submitted"
    assert emitted(obligation) == []
    assert obligation.status is status


# -- the life of a report -------------------------------------------------------------


def test_a_report_sent_back_once_goes_from_due_to_accepted() -> None:
    obligation = an_obligation()
    steps: list[Step] = [
        draft,
        submit,
        request_changes,
        lambda o: o.draft("Avec les indicateurs.", (INDICATORS,)),
        submit,
        accept,
    ]
    statuses = [obligation.status]

    for step in steps:
        step(obligation)
        statuses.append(obligation.status)

    assert statuses == [
        ReportStatus.DUE,
        ReportStatus.DRAFTED,
        ReportStatus.SUBMITTED,
        ReportStatus.CHANGES_REQUESTED,
        ReportStatus.DRAFTED,
        ReportStatus.SUBMITTED,
        ReportStatus.ACCEPTED,
    ]
    assert [kind for kind, _ in emitted(obligation)] == [
        ReportingObligation.Scheduled,
        ReportingObligation.ReportDrafted,
        ReportingObligation.ReportSubmitted,
        ReportingObligation.ReportChangesRequested,
        ReportingObligation.ReportDrafted,
        ReportingObligation.ReportSubmitted,
        ReportingObligation.ReportAccepted,
    ]
    assert (obligation.text, obligation.attachments) == (
        "Avec les indicateurs.",
        (REPORT_PDF, INDICATORS),
    )


# -- replay ---------------------------------------------------------------------------


def test_replaying_the_events_rebuilds_the_same_obligation() -> None:
    obligation = an_obligation(kind=ReportKind.INDICATOR_UPDATE)
    obligation.draft("Indicateurs du semestre", (REPORT_PDF, INDICATORS))
    obligation.submit()
    obligation.request_changes("Détailler par commune.")
    obligation.draft("Indicateurs par commune", (INDICATORS,))
    obligation.submit()
    obligation.accept("Merci.")
    history = obligation.collect_events()

    replayed = reduce(lambda state, past: past.mutate(state), history, None)

    assert replayed == obligation
    assert replayed is not None
    assert vars(replayed) == vars(obligation)
