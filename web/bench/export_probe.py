"""Memory one export grows by, measured in a process of its own.

``python -m web.bench.export_probe SPEC`` imports what every export needs and opens
the stores, reads its resident memory (the baseline: interpreter, imports,
connections), runs one export to ``/dev/null``, and prints the baseline and the
peak resident memory of the export as JSON (KiB). The export's own memory is the
peak less the baseline, both measured in this one process.

The peak is the kernel's high-water mark of this process's memory (``VmHWM``),
reset just before the export where the kernel allows it (``clear_refs``), not
``getrusage``'s ``ru_maxrss``: that one is carried over from the parent across
``fork`` and ``exec``, so a child started by a large benchmark process reports the
parent's size.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from pathlib import Path

# What the exports import when they run: imported before the baseline, so that the
# growth is the export's data, not its code.
EXPORT_MODULES = (
    "openpyxl",
    "projections.consortia",
    "projections.history",
    "projections.ledger",
    "projections.partners",
    "starlette.routing",
    "web.app",
    "web.exports.ledger",
    "web.exports.trail",
    "web.links",
    "web.presentation.history",
)


def status_kib(field: str) -> int:
    """A memory figure of this process (``VmRSS``, ``VmHWM``), in KiB (Linux)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    return 0


def reset_peak() -> None:
    """Bring the high-water mark down to the memory resident now (Linux 4.0+)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:  # an older kernel: the peak then counts from the start
        pass


def main() -> None:
    """Entry point: ``SPEC`` (JSON: data directory, database URL, consortium,
    export)."""
    from web.bench.targets import EXPORTS
    from web.ops.storage import open_stores
    from web.settings import Settings

    spec = json.loads(sys.argv[1])
    for module in EXPORT_MODULES:
        importlib.import_module(module)
    # The benchmark's own form key (in the environment, not on the command line):
    # on PostgreSQL the store refuses a host whose key is not the deployment's.
    settings = Settings(
        data_dir=Path(spec["data_dir"]),
        database_url=spec.get("database_url") or None,
        secret_key=os.environ.get("CONSORTIUM_SECRET_KEY", ""),
    ).with_secret()
    stores = open_stores(settings, create_tables=False)
    try:
        reset_peak()
        baseline = status_kib("VmRSS")
        started = time.perf_counter()
        with open(os.devnull, "wb") as out:
            EXPORTS[spec["export"]](stores, spec["consortium_id"], out)
        seconds = time.perf_counter() - started
        peak = status_kib("VmHWM")
    finally:
        stores.close()
    sys.stdout.write(
        json.dumps({"baseline_kib": baseline, "peak_kib": peak, "seconds": seconds})
        + "\n"
    )


if __name__ == "__main__":
    main()
