"""Commands run again when another command changed their aggregate meanwhile.

A command loads its aggregate (from the cache, brought up to date with the log),
decides, and saves with the next version numbers; if another command saved first
(another request of this process, or another host), the save is refused by the
event store and nothing of it is stored (``Conflict``). The decision was taken on
an older state, and taking it again on the new one is what the person asked for:
the command runs again, on the aggregate as it now is, which either saves or is
refused by the rules like any command. Two people posting at once to one consortium
get their two answers, not a 409 for one of them.

Only a whole command is run again, never a part: each command saves once, at its
end, and nothing else is done before that which a second run would repeat (files
sent with a form are stored before the command, by the caller). After ``ATTEMPTS``
refused saves the conflict is raised: an identifier taken for good (a creation whose
id is derived from its key, already issued) or a contention that does not pass.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from governance.errors import Conflict

ATTEMPTS = 3
"""How many times a command runs before its conflict is raised."""

P = ParamSpec("P")
R = TypeVar("R")


def command(method: Callable[P, R]) -> Callable[P, R]:
    """A command of the service, run again on ``Conflict`` (see the module's text)."""

    @functools.wraps(method)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        for _ in range(ATTEMPTS - 1):
            try:
                return method(*args, **kwargs)
            except Conflict:
                continue
        return method(*args, **kwargs)

    return run
