"""The benchmark runs end to end and writes a table with every row (not the figures).

A small quick run on SQLite: the history is built through the service, the read
models rebuilt, the application served by uvicorn and loaded from another process,
exports run in their own processes. Its figures are not checked, only its shape.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from click.testing import CliRunner

from web.bench.targets import EXPORTS, PAGES
from web.cli import main


def test_bench_runs_end_to_end_and_writes_every_row(tmp_path: Path) -> None:
    output = tmp_path / "bench.md"
    started = time.monotonic()
    result = CliRunner().invoke(
        main,
        [
            "bench",
            "--events",
            "3000",
            "--quick",
            "--data-dir",
            str(tmp_path / "stores"),
            "--output",
            str(output),
        ],
    )
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert time.monotonic() - started < 50
    table = output.read_text(encoding="utf-8")
    rows = [line for line in table.splitlines() if line.startswith("| ")][2:]
    figures = [row.split(" | ")[0].removeprefix("| ") for row in rows]
    expected = [
        "commands/s through the service (command, save, projection caught up)",
        "projection rebuild events/s",
        "`audit verify` events/s",
        *(f"GET/s: {page.name}" for page in PAGES),
        *(f"p95 latency at {{n}} events: {page.name}" for page in PAGES),
        "POST command round trip p95 (form post to redirect, read-your-writes)",
        *(f"peak memory of a full {name} export at {{n}} events" for name in EXPORTS),
    ]
    size = re.search(r"### ([\d,]+) events on SQLite", table)
    assert size is not None, table
    assert figures == [e.replace("{n}", size.group(1)) for e in expected]
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert re.fullmatch(r"[\d.]+|nan", cells[4]), row  # every ratio computed
        assert cells[6] in {"yes", "**no**"}, row
    assert "Machine:" in table
    assert table in result.output
