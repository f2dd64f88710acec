"""An export's memory is measured above a baseline of its own process, whatever the
size of the process that started it.

``getrusage``'s ``ru_maxrss`` is carried over across ``fork`` and ``exec``: a probe
started by a large benchmark process would report that process's size. The probe
reads the kernel's high-water mark of its own memory instead.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from governance.actor import Actor
from tests.support.builders import COORDINATOR_ID, founded_consortium
from web.ops.storage import open_stores
from web.settings import Settings

PARENT_MIB = 400


def test_an_export_started_by_a_large_process_does_not_count_its_size(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path).with_secret()
    stores = open_stores(settings)
    try:
        cid = founded_consortium(stores.governance, Actor(COORDINATOR_ID))
    finally:
        stores.close()
    spec = json.dumps(
        {
            "data_dir": str(tmp_path),
            "database_url": "",
            "consortium_id": str(cid),
            "export": "ledger CSV",
        }
    )
    # A parent holding PARENT_MIB, touched so that it is resident, starts the probe.
    parent = (
        f"import subprocess, sys\n"
        f"held = bytearray({PARENT_MIB} * 1024 * 1024)\n"
        "for i in range(0, len(held), 4096): held[i] = 1\n"
        "out = subprocess.run([sys.executable, '-m', 'web.bench.export_probe', "
        f"{spec!r}], capture_output=True, text=True, check=True).stdout\n"
        "print(out)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", parent],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "CONSORTIUM_SECRET_KEY": settings.secret_key},
    )
    answer = json.loads(result.stdout)

    growth_mib = (answer["peak_kib"] - answer["baseline_kib"]) / 1024
    assert 0 <= growth_mib < PARENT_MIB / 2, answer
