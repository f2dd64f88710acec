"""The work plan's form parsers: shape only, each refusal on its input."""

from __future__ import annotations

from datetime import date

import pytest

from web.forms.fields import FormErrors
from web.forms.workplan import (
    parse_deliverable,
    parse_milestone,
    parse_package,
    parse_reached,
    participant_field,
)


def test_participants_are_the_partners_whose_box_is_ticked() -> None:
    form = parse_package(
        {
            "code": " WP1 ",
            "title": "Coordination",
            "lead_id": "p-lead",
            participant_field("p-lab"): "on",
            participant_field("p-off"): "",
        }
    )

    assert (form.code, form.lead_id, form.participants) == ("WP1", "p-lead", ("p-lab",))


def test_a_package_without_code_title_or_lead_names_each_input() -> None:
    with pytest.raises(FormErrors) as refused:
        parse_package({"code": "", "title": "A\nB"})

    assert set(refused.value.errors) == {"code", "title", "lead_id"}


@pytest.mark.parametrize("due_on", ["", "2026-02-30", "30/09/2026", "²"])
def test_a_deliverable_without_a_real_due_date_is_refused_on_that_input(
    due_on: str,
) -> None:
    with pytest.raises(FormErrors) as refused:
        parse_deliverable(
            {"package_id": "p", "title": "T", "due_on": due_on, "responsible_id": "r"}
        )

    assert set(refused.value.errors) == {"due_on"}


def test_a_milestone_and_its_reaching_parse_their_dates_and_note() -> None:
    milestone = parse_milestone(
        {"package_id": "p", "title": "Lancement", "planned_on": "2026-02-01"}
    )
    reached = parse_reached(
        {"reached_on": "2026-02-03", "note": "Tenu.\nSalle comble."}
    )

    assert milestone.planned_on == date(2026, 2, 1)
    assert reached == (date(2026, 2, 3), "Tenu.\nSalle comble.")
