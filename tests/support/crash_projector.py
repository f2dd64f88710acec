"""A projector process for crash tests (``python -m tests.support.crash_projector``).

Modes: ``catch-up`` (the real loop, in small batches so that a kill lands between
and inside them), ``rebuild`` (the real ``consortium projections rebuild`` path) and
``naive`` (a negative control: each event applied in a transaction of its own and
the tracking position saved apart, every 20 events, so a kill re-applies events).
Settings come from the ``CONSORTIUM_*`` environment; prints ``ready`` once the
stores are open, ``done`` at the end.
"""

from __future__ import annotations

import sys

from sqlalchemy import update

from projections.base import tracking
from projections.runtime import ReadSide
from web.ops.storage import open_stores
from web.settings import Settings


def naive(read_side: ReadSide, every: int = 20) -> None:
    """Apply each event in a transaction of its own; save the position separately,
    every ``every`` events (a checkpointing consumer without exactly-once)."""
    positions = read_side.positions()
    after = min(positions.values(), default=0)
    while envelopes := read_side.log.read(after, every):
        for envelope in envelopes:
            with read_side.writer.begin() as connection:
                for name, projection in read_side.projections.items():
                    if envelope.position > positions[name]:
                        projection.apply(connection, envelope)
        after = envelopes[-1].position
        with read_side.writer.begin() as connection:
            connection.execute(update(tracking).values(position=after))
        positions = dict.fromkeys(positions, after)


def main(mode: str) -> None:
    stores = open_stores(Settings.from_env().with_secret(), create_tables=False)
    print("ready", flush=True)  # noqa: T201
    try:
        if mode == "catch-up":
            stores.read_side.catch_up(batch_size=3)
        elif mode == "rebuild":
            stores.read_side.rebuild()
        elif mode == "naive":
            naive(stores.read_side)
        else:
            raise SystemExit(f"unknown mode {mode}")
    finally:
        stores.close()
    print("done", flush=True)  # noqa: T201


if __name__ == "__main__":
    main(sys.argv[1])
