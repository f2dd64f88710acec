"""The ``consortium`` command: serve, demo, admin, projections.

Every failure is one sentence on stderr (``Error: …``) and an exit code that says
its kind (``Exit``, documented in the README): a script can tell bad input from a
store out of reach, a verification that failed, or a refusal. No traceback, unless
``--verbose`` asks for one on an unexpected error.

One module per group of commands, each adding its commands to ``main``
(``group.py``); importing this package registers them all. ``web.cli:main`` is the
entry point and ``web.cli:app_factory`` the ASGI factory uvicorn loads.
"""

from __future__ import annotations

# Imported for their commands, which they add to ``main``.
from web.cli import (
    admin,
    audit,
    backup,
    bench,
    demo,
    evidence,
    health,
    migrate,
    readmodels,
    serve,
)
from web.cli import files as files  # round 4, hosts
from web.cli import keys as keys  # round 4, hosts
from web.cli.group import Exit, Failure, main
from web.cli.serve import app_factory

__all__ = [
    "Exit",
    "Failure",
    "admin",
    "app_factory",
    "audit",
    "backup",
    "bench",
    "demo",
    "evidence",
    "health",
    "main",
    "migrate",
    "readmodels",
    "serve",
]
