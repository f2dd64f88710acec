"""A list of strings bound as one parameter: a JSON array the database reads as rows.

An expanding ``IN`` renders one placeholder per item on every execution
(SQLAlchemy's post-compile step: 40–90 µs for a dozen to a hundred items, on
statements every page runs); one JSON parameter keeps the statement's text the same
whatever the list, so it is compiled once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, BindParameter, Select, Text, bindparam, cast, func, select

DIALECTS = ("sqlite", "postgresql")
"""The databases a statement reading ``json_values`` is built for, once each."""


def json_values(name: str, dialect: str) -> Select[Any]:
    """The items of the JSON array bound as ``name`` (``json_list``), one row
    each, for ``column.in_(…)``; ``dialect`` is the database's name."""
    array: BindParameter[str] = bindparam(name, type_=Text)
    if dialect == "postgresql":
        elements = func.json_array_elements_text(cast(array, JSON))
    else:
        elements = func.json_each(array)
    return select(elements.table_valued("value").c.value)


def json_list(items: Iterable[str]) -> str:
    """The value to bind for ``json_values``."""
    return json.dumps(list(items))
