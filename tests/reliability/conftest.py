"""Reliability fixtures: the web fixtures (the app on SQLite then PostgreSQL, a world
with a person in each role) shared with the web tests.
"""

from __future__ import annotations

from tests.web.conftest import client, settings, world

__all__ = ["client", "settings", "world"]
