"""The aggregate cache's copies: each command works on a copy of its own, made
without ``copy.deepcopy``'s cost.

The library keeps recently used aggregates in memory and hands each command a deep
copy, so that a command refused halfway (its aggregate already changed) leaves the
cached one as it was, and two commands at once never share an object. ``deepcopy``
pays for every value of the state, through the pickling protocol, where only
mutable containers and objects need copying: strings, numbers, dates, enums, ids
and frozen values whose parts are all such values are shared. ``fork`` copies the
rest (dicts, lists, sets, objects with a ``__dict__``), keeping shared references
shared, and falls back on ``deepcopy`` for anything else.
"""

from __future__ import annotations

import dataclasses
from copy import deepcopy
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import Repository

T = TypeVar("T")

_ATOMS: frozenset[type] = frozenset(
    {str, int, float, bool, bytes, type(None), Decimal, UUID, date, datetime}
    | {time, timedelta}
)


def fork(value: T) -> T:
    """A copy of ``value`` no later change to either side can reach the other."""
    forked: T = _fork(value, {})
    return forked


# How a value of each type is forked, decided once per type: a command forks a
# consortium's hundreds of values, and asking each one's type for its slots and copy
# hooks cost more than copying them (the benchmark's consortium: 86 µs, 54 now).
_SHARED, _DICT, _LIST, _TUPLE, _SET, _FROZENSET, _PLAIN, _FROZEN, _DEEP = range(9)
_HOW: dict[type, int] = dict.fromkeys(_ATOMS, _SHARED) | {
    dict: _DICT,
    list: _LIST,
    tuple: _TUPLE,
    set: _SET,
    frozenset: _FROZENSET,
}


def _how(kind: type) -> int:
    found = _HOW.get(kind)
    if found is None:
        if issubclass(kind, Enum):
            found = _SHARED
        elif issubclass(kind, (dict, list, tuple, set, frozenset)):
            found = _DEEP  # a subclass may keep more than its items
        elif _has_plain_state(kind):
            found = _FROZEN if _frozen(kind) else _PLAIN
        else:
            found = _DEEP
        _HOW[kind] = found
    return found


def _fork(value: Any, memo: dict[int, Any]) -> Any:
    how = _HOW.get(type(value))
    if how is None:
        how = _how(type(value))
    if how == _SHARED:
        return value
    found = memo.get(id(value))
    if found is not None:
        return found
    made: Any
    if how == _DICT:
        made = memo[id(value)] = {}
        for key, item in value.items():
            made[key] = _fork(item, memo)
    elif how == _LIST:
        made = memo[id(value)] = []
        made.extend(_fork(item, memo) for item in value)
    elif how == _TUPLE:
        items = tuple(_fork(item, memo) for item in value)
        same = all(a is b for a, b in zip(items, value, strict=True))
        made = value if same else items
    elif how in (_SET, _FROZENSET) and all(_how(type(i)) == _SHARED for i in value):
        made = value if how == _FROZENSET else set(value)
    elif how in (_PLAIN, _FROZEN):
        state = value.__dict__
        copied = {name: _fork(item, memo) for name, item in state.items()}
        if how == _FROZEN and all(copied[n] is state[n] for n in state):
            made = value  # an immutable value: shared
        else:
            made = object.__new__(type(value))
            made.__dict__.update(copied)
    else:
        made = deepcopy(value, {})
    memo[id(value)] = made
    return made


def _has_plain_state(kind: type) -> bool:
    """Whether objects of ``kind`` keep their whole state in their ``__dict__``."""
    return (
        "__dict__" in dir(kind)
        and not any(vars(k).get("__slots__") for k in kind.__mro__[:-1])
        and getattr(kind, "__deepcopy__", None) is None
        and getattr(kind, "__reduce_ex__", None) is object.__reduce_ex__
    )


def _frozen(kind: type) -> bool:
    params = getattr(kind, "__dataclass_params__", None)
    return dataclasses.is_dataclass(kind) and bool(params and params.frozen)


class ForkingRepository(Repository[UUID]):
    """The library's repository, handing out forks of cached aggregates instead
    of deep copies (the library's own copying is switched off: see ``get``)."""

    def get(self, aggregate_id: UUID, *args: Any, **kwargs: Any) -> Any:
        """The aggregate, a copy of the cached one if it was cached."""
        cached = self.cache is not None and kwargs.get("version") is None
        kwargs["deepcopy_from_cache"] = False
        aggregate = super().get(aggregate_id, *args, **kwargs)
        return fork(aggregate) if cached else aggregate
