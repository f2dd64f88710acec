"""The trail's authors: each once, of this consortium only, found author after
author through the index (not by reading every entry of a long trail)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from governance.actor import Actor
from governance.application import Governance
from projections.history.queries import AUTHORS, authors_of
from projections.history.tables import history
from projections.runtime import ReadSide
from tests.application.test_decisions import a_copil
from tests.projections.test_query_plans import plan_of
from tests.support.builders import a_motion, founded_consortium


def test_each_author_of_the_consortium_once(
    app: Governance, coordinator: Actor, read_side: ReadSide
) -> None:
    cid = founded_consortium(app, coordinator)
    copil = a_copil(app, coordinator, cid)
    for title in ("Adopter le budget", "Adopter la charte"):
        app.table_proposal(copil.lead, cid, copil.body_id, a_motion(title=title))
    outsider = Actor("someone-else")
    elsewhere = founded_consortium(app, outsider)
    read_side.catch_up()

    with read_side.engine.connect() as connection:
        found = authors_of(connection, str(cid))
        every = connection.scalars(
            select(history.c.actor_id).where(history.c.consortium_id == str(cid))
        ).all()
        theirs = authors_of(connection, str(elsewhere))
        nobody = authors_of(connection, "no-such-consortium")

    assert len(every) > len(found)  # several entries each
    assert sorted(found) == sorted(set(every))
    assert {coordinator.account_id, copil.lead.account_id} <= set(found)
    assert outsider.account_id not in found
    assert theirs == [outsider.account_id]
    assert nobody == []


def test_the_authors_are_sought_in_the_index_one_after_another(
    tmp_path: Path,
) -> None:
    plan = plan_of(tmp_path, AUTHORS.params(consortium_id="c-1"))

    assert "history_by_actor (consortium_id=? AND actor_id>?)" in plan, plan
    assert "SCAN consortium_history" not in plan, plan
