"""Each export's memory growth, measured in a process of its own
(``web.bench.export_probe``), and its rows: the measured store against the
10,000-event reference store.
"""

from __future__ import annotations

from web.bench import targets
from web.bench.probes import run_probe
from web.bench.results import REFERENCE_EVENTS, Row, Store

EXPORT_FLOOR_MIB = 1.0
"""Growths under 1 MiB count as 1 MiB: below it the allocator's arenas, not the
export, decide what is resident."""


def export_growths(store: Store) -> dict[str, float]:
    """Each export's memory growth in MiB: peak less the baseline, both measured in
    the export's own process before and during the export."""
    growths = {}
    for name in targets.EXPORTS:
        spec = {
            "data_dir": str(store.settings.data_dir),
            "database_url": store.settings.database_url or "",
            "consortium_id": store.flagship.consortium_id,
            "export": name,
        }
        answer = run_probe(
            "web.bench.export_probe",
            spec,
            {"CONSORTIUM_SECRET_KEY": store.settings.secret_key},
            f"the {name} export's probe",
        )
        growth = (answer["peak_kib"] - answer["baseline_kib"]) / 1024
        growths[name] = max(growth, EXPORT_FLOOR_MIB)
    return growths


def export_rows(
    at_size: dict[str, float], reference: dict[str, float], events: int
) -> list[Row]:
    return [
        Row(
            f"memory growth of a full {name} export at {events:,} events (peak less "
            "the baseline of the same process)",
            at_size[name],
            " MiB",
            f"the same export on the separate {REFERENCE_EVENTS:,}-event store "
            "(growths under 1 MiB count as 1)",
            reference[name],
            "≤ 1.5",
        )
        for name in targets.EXPORTS
    ]
