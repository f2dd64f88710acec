"""A command whose aggregate another command changed meanwhile runs again on the
new state (``governance.application.retrying``)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from governance.actor import Actor
from governance.application import Governance
from governance.application.retrying import ATTEMPTS
from governance.errors import Conflict, RuleViolated
from governance.events import PartnerAxisChanged
from tests.support.builders import admitted_partner, an_authority

APPLICATION = Path(__file__).parents[2] / "governance" / "application"


def axes(app: Governance, consortium_id: UUID) -> list[str]:
    """The partners' axes as the log recorded them, in order."""
    return [
        event.axis
        for event in app.events.get(consortium_id)
        if isinstance(event, PartnerAxisChanged)
    ]


def another_command_before_each_save(
    app: Governance, monkeypatch: pytest.MonkeyPatch, other: Callable[[int], Any]
) -> list[int]:
    """Makes ``other`` run (and save) just before each of the next command's saves,
    as another request would between that command's load and its save. Returns
    the positions ``other`` answered (``other`` is given how many it answered)."""
    save = app._save
    saved: list[int] = []
    inside: list[bool] = []

    def interleaved(*aggregates: Any) -> int:
        if not inside:
            inside.append(True)
            try:
                saved.append(other(len(saved)))
            finally:
                inside.clear()
        return save(*aggregates)

    monkeypatch.setattr(app, "_save", interleaved)
    return saved


def test_a_command_whose_aggregate_changed_meanwhile_runs_again_on_the_new_state(
    app: Governance,
    coordinator: Actor,
    consortium_id: UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lead = admitted_partner(app, coordinator, consortium_id, an_authority())
    others: list[int] = []

    def once(n: int) -> int:
        if others:
            return others[0]  # only the first save is overtaken
        others.append(
            app.change_partner_axis(coordinator, consortium_id, lead, "Axe d'un autre")
        )
        return others[0]

    another_command_before_each_save(app, monkeypatch, once)
    position = app.change_partner_axis(coordinator, consortium_id, lead, "Axe voulu")

    assert axes(app, consortium_id)[-2:] == ["Axe d'un autre", "Axe voulu"]
    assert position > others[0]
    assert app.repository.get(consortium_id).partners[lead].axis == "Axe voulu"


def test_a_conflict_that_does_not_pass_is_raised_and_stores_nothing(
    app: Governance,
    coordinator: Actor,
    consortium_id: UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lead = admitted_partner(app, coordinator, consortium_id, an_authority())

    def every_time(n: int) -> int:
        return app.change_partner_axis(coordinator, consortium_id, lead, f"Autre {n}")

    overtaking = another_command_before_each_save(app, monkeypatch, every_time)
    with pytest.raises(Conflict):
        app.change_partner_axis(coordinator, consortium_id, lead, "Axe voulu")

    assert len(overtaking) == ATTEMPTS
    assert axes(app, consortium_id)[-ATTEMPTS:] == [
        f"Autre {n}" for n in range(ATTEMPTS)
    ]
    assert "Axe voulu" not in axes(app, consortium_id)


def test_a_refused_run_again_is_refused_by_the_rules_like_any_command(
    app: Governance,
    coordinator: Actor,
    consortium_id: UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Meanwhile the partner left: the command, taken again, is refused by the rule.
    lead = admitted_partner(app, coordinator, consortium_id, an_authority())
    done: list[int] = []

    def withdraw_once(n: int) -> int:
        if not done:
            done.append(
                app.withdraw_partner(
                    coordinator, consortium_id, lead, app.clock.now().date(), "Départ"
                )
            )
        return done[0]

    another_command_before_each_save(app, monkeypatch, withdraw_once)
    with pytest.raises(RuleViolated):
        app.change_partner_axis(coordinator, consortium_id, lead, "Axe voulu")

    assert "Axe voulu" not in axes(app, consortium_id)


def test_every_command_of_the_service_is_run_again_on_conflict() -> None:
    # A command is a method that acts as someone (``self._acting``): each one is
    # marked ``@command``, so that none answers a conflict another would retry.
    unmarked = []
    for path in sorted(APPLICATION.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef) or node.name == "_acting":
                continue
            acts = any(
                isinstance(n, ast.Attribute) and n.attr == "_acting"
                for n in ast.walk(node)
            )
            marked = any(
                isinstance(d, ast.Name) and d.id == "command"
                for d in node.decorator_list
            )
            if acts and not marked:
                unmarked.append(f"{path.name}:{node.name}")
    assert unmarked == []
    assert len(list(APPLICATION.glob("*.py"))) > 10  # the folder was found
