"""An amendment's changes, as arithmetic on a plan: lines kept in their order, new
ones after; a withdrawal of a line gone is stale; who enters, who leaves."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from governance.errors import RuleViolated
from governance.financing.changes import AmendmentChanges, check_reason
from governance.financing.values import PlanContent
from tests.support.financing import LAB, LEAD, a_resource, an_expense, rules

TRAVEL = an_expense().line("e-travel")
STAFF = an_expense(label="Chef de projet").line("e-staff")
GRANT = a_resource().line("r-grant")
IN_FORCE = PlanContent(
    (TRAVEL, STAFF),
    (GRANT,),
    (),
    rules(eligible_from=date(2026, 1, 1), eligible_until=date(2027, 12, 31)),
)


def test_kept_lines_stay_in_their_order_and_new_ones_come_after() -> None:
    new = an_expense(partner_id=LAB, amount=Decimal("300.00")).line("e-lab")
    changes = AmendmentChanges(expenses=(new,), withdrawn=("e-travel",))

    amended = changes.applied_to(IN_FORCE)

    assert [e.line_id for e in amended.expenses] == ["e-staff", "e-lab"]
    assert amended.resources == IN_FORCE.resources
    assert amended.rules == IN_FORCE.rules


def test_an_extension_changes_only_the_end_of_the_period() -> None:
    amended = AmendmentChanges(eligible_until=date(2028, 6, 30)).applied_to(IN_FORCE)

    assert amended.rules.eligible_until == date(2028, 6, 30)
    assert amended.rules.eligible_from == date(2026, 1, 1)
    assert amended.expenses == IN_FORCE.expenses


def test_withdrawing_a_line_no_longer_in_force_is_stale() -> None:
    with pytest.raises(RuleViolated, match=r"amendment\.stale"):
        AmendmentChanges(withdrawn=("e-gone",)).applied_to(IN_FORCE)


def test_a_partner_enters_with_lines_and_leaves_when_all_its_lines_go() -> None:
    lab_line = an_expense(partner_id=LAB).line("e-lab")

    entering = AmendmentChanges(expenses=(lab_line,)).entering(IN_FORCE)
    partly = AmendmentChanges(withdrawn=("e-travel",)).leaving(IN_FORCE)
    wholly = AmendmentChanges(withdrawn=("e-travel", "e-staff", "r-grant"))

    assert entering == {LAB}
    assert partly == set()
    assert wholly.leaving(IN_FORCE) == {LEAD}


def test_nothing_changed_is_empty() -> None:
    assert AmendmentChanges().empty
    assert not AmendmentChanges(withdrawn=("e-travel",)).empty


@pytest.mark.parametrize(
    ("reason", "code"),
    [("  ", "amendment.reason_required"), ("x" * 2001, "amendment.reason_too_long")],
)
def test_a_reason_is_required_and_bounded(reason: str, code: str) -> None:
    with pytest.raises(RuleViolated) as refused:
        check_reason(reason)

    assert (refused.value.code, refused.value.field) == (code, "reason")
