"""Peak memory of one export, measured in a process of its own.

``python -m web.bench.export_probe SPEC`` starts the export in a child process
(``--child``), waits for it, and prints the child's peak resident memory as
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` sees it (kilobytes on Linux): the
only child it ever waited for, so the figure is that export's alone.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path


def _child(spec: dict[str, str]) -> None:
    from web.bench.targets import EXPORTS
    from web.ops.storage import open_stores
    from web.settings import Settings

    settings = Settings(
        data_dir=Path(spec["data_dir"]), database_url=spec.get("database_url") or None
    ).with_secret()
    stores = open_stores(settings, create_tables=False)
    try:
        with open(os.devnull, "wb") as out:
            EXPORTS[spec["export"]](stores, spec["consortium_id"], out)
    finally:
        stores.close()


def main() -> None:
    """Entry point: ``SPEC`` (JSON), or ``--child SPEC`` for the export itself."""
    if sys.argv[1] == "--child":
        _child(json.loads(sys.argv[2]))
        return
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "web.bench.export_probe", "--child", sys.argv[1]],
        check=True,
    )
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    seconds = time.perf_counter() - started
    sys.stdout.write(json.dumps({"peak_kib": peak_kib, "seconds": seconds}) + "\n")


if __name__ == "__main__":
    main()
