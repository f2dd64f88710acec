"""Dies inside the schema transaction of a rebuild or a reshape, at a chosen point.

``python -m tests.support.crash_rebuild ACTION POINT``: ACTION is ``rebuild`` (the
real ``ReadSide.rebuild``, ``consortium projections rebuild``) or ``reshape`` (the
real ``ReadSide.create_tables`` of a start after a projection changed shape: the
parent stored another fingerprint first: it creates the new table sets beside the
old ones). POINT is where the process ends with ``os._exit`` (no clean-up, as a
kill): ``after-drop`` (the first ``DROP TABLE`` executed; a reshape has none),
``after-create`` (the first ``CREATE TABLE`` after it, or a reshape's first) or
``at-commit`` (the commit of the transaction that dropped or created tables, before
it is sent). The hook is
installed in this process only: the code under test is unchanged. Settings come
from the ``CONSORTIUM_*`` environment. Exits with ``KILLED`` at the point, with 0
if the point never came.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from sqlalchemy import Connection, Engine, event

from web.ops.storage import open_stores
from web.settings import Settings

KILLED = 3
POINTS = ("after-drop", "after-create", "at-commit")


def die_at(point: str, action: str) -> None:
    """End the process at ``point`` of the first transaction that drops a table, or
    for a reshape creates one (on every engine: on PostgreSQL the reshape runs
    while the stores open)."""
    dropped = touched = False

    def after_statement(
        _connection: Connection, _cursor: Any, statement: str, *_: Any
    ) -> None:
        nonlocal dropped, touched
        words = " ".join(statement.split()).upper()
        if words.startswith("DROP TABLE"):
            dropped = touched = True
            if point == "after-drop":
                os._exit(KILLED)
        elif words.startswith("CREATE TABLE") and (dropped or action == "reshape"):
            touched = True
            if point == "after-create":
                os._exit(KILLED)

    def at_commit(_connection: Connection) -> None:
        if touched and point == "at-commit":
            os._exit(KILLED)

    event.listen(Engine, "after_cursor_execute", after_statement)
    event.listen(Engine, "commit", at_commit)


def main(action: str, point: str) -> None:
    if point not in POINTS:
        raise SystemExit(f"unknown point {point}")
    die_at(point, action)
    stores = open_stores(Settings.from_env().with_secret(), create_tables=False)
    if action == "rebuild":
        stores.read_side.rebuild()
    elif action == "reshape":
        stores.read_side.create_tables()
    else:
        raise SystemExit(f"unknown action {action}")
    stores.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
