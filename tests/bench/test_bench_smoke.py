"""The benchmark runs end to end and writes a table with every row (not the figures).

A small quick run on SQLite: the history is built through the service, the read
models rebuilt, the application served by uvicorn and loaded from another process,
exports run in their own processes, pages read through one and two web processes,
and 1, 8 and 32 writers post at once. Its figures are not checked, only its shape,
and that no writer met an error.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from click.testing import CliRunner

from web.bench.scale import WRITERS
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
    # Generous: the machine may be shared (100 s on 2 cores beside 4 test runs).
    assert time.monotonic() - started < 150
    table = output.read_text(encoding="utf-8")
    main_table, writers_table = table.split("Concurrent writers:")
    rows = [line for line in main_table.splitlines() if line.startswith("| ")][2:]
    figures = [row.split(" | ")[0].removeprefix("| ") for row in rows]
    expected = [
        "commands/s through the service (command, save, projection caught up)",
        "projection rebuild events/s",
        "`audit verify` events/s",
        *(f"GET/s: {page.name}" for page in PAGES),
        *(f"p95 latency at {{n}} events: {page.name}" for page in PAGES),
        "POST command round trip p95 (form post to redirect, read-your-writes)",
        *(f"peak memory of a full {name} export at {{n}} events" for name in EXPORTS),
        "GET/s over the {p} pages in turn, 1 web process",
        "GET/s over the {p} pages in turn, 2 web processes",
        "read scaling: GET/s over the {p} pages in turn, 2 web processes ÷ 1",
        "commands/s, 1 concurrent writer on one consortium (POST round trips "
        "answered 303)",
        *(
            f"commands/s, {w} concurrent writers over {{c{w}}} consortia (POST round "
            "trips answered 303)"
            for w in WRITERS[1:]
        ),
        *(
            f"commands/s, {w} concurrent writers all on one partner of one consortium "
            "(POST round trips answered 303)"
            for w in WRITERS[1:]
        ),
    ]
    size = re.search(r"### ([\d,]+) events on SQLite", table)
    assert size is not None, table
    writers = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in writers_table.splitlines()
        if line.startswith("| ")
    ][2:]
    assert [int(w[0]) for w in writers] == [*WRITERS, *WRITERS[1:]]
    assert all(w[-1] == "0" for w in writers), writers_table  # no errors
    spread = {f"{{c{w[0]}}}": w[1] for w in writers[1 : len(WRITERS)]}
    filled = []
    for figure in expected:
        figure = figure.replace("{n}", size.group(1)).replace("{p}", str(len(PAGES)))
        for key, value in spread.items():
            figure = figure.replace(key, value)
        filled.append(figure)
    assert figures == filled
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert re.fullmatch(r"[\d.]+|nan", cells[4]), row  # every ratio computed
        assert cells[6] in {"yes", "**no**"}, row
    assert "Machine:" in table
    assert table in result.output
