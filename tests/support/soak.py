"""The soak switch: ``CONSORTIUM_SOAK=1`` runs the long reliability variants.

By default each reliability suite stays well under a minute so that ``make test``
runs them all; the soak variants fuzz thousands of posts per route, run more
writers for longer and kill processes more often.
"""

from __future__ import annotations

import os

SOAK = os.environ.get("CONSORTIUM_SOAK") == "1"


def scaled(default: int, soak: int) -> int:
    """``default`` normally, ``soak`` under ``CONSORTIUM_SOAK=1``."""
    return soak if SOAK else default
