"""The benchmark runs end to end and writes a table with every row (not the figures).

Every row has a limit of its own measured in the same run and a goal it can miss;
``--output`` writes the run's section of an existing file (``docs/performance.md``)
and leaves the rest of it alone. A small quick run on SQLite: the history is built
through the service, the read models rebuilt, the application served by uvicorn and
loaded from another process, exports run in their own processes, pages read through
one and two web processes, and 1, 8 and 32 writers post at once. Its figures are not
checked, only its shape, and that no writer met an error.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from web.bench.scale import WRITERS
from web.bench.targets import EXPORTS, PAGES, SCALED
from web.cli import main

STALE = "| a figure of an earlier run | 1/s |"
PROSE = "The discussion around the tables stays as written."


def test_bench_runs_end_to_end_and_writes_every_row_into_its_section(
    tmp_path: Path,
) -> None:
    output = tmp_path / "performance.md"
    section = "SQLite --events 3000 --quick"
    output.write_text(
        f"# Performance\n\n{PROSE}\n\n<!-- bench: {section} -->\n{STALE}\n"
        f"<!-- /bench: {section} -->\n\n## After the tables\n",
        encoding="utf-8",
    )
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
    # Generous: the machine may be shared (a minute on 2 cores beside 4 test runs).
    assert time.monotonic() - started < 300
    written = output.read_text(encoding="utf-8")
    # --output replaced its section, and only it.
    assert STALE not in written
    assert written.startswith(f"# Performance\n\n{PROSE}\n\n<!-- bench: {section}")
    assert written.endswith(f"<!-- /bench: {section} -->\n\n## After the tables\n")
    table = written.split(f"<!-- bench: {section} -->\n")[1].split("<!-- /bench")[0]
    assert table.strip() in result.output
    main_table, rest = table.split("Pages, with the load's connections and alone:")
    pages_table, writers_table = rest.split("Concurrent writers:")
    rows = [line for line in main_table.splitlines() if line.startswith("| ")][2:]
    figures = [row.split(" | ")[0].removeprefix("| ") for row in rows]
    expected = [
        "commands/s through the service (command, save, projection caught up)",
        "floor: commands/s of the event store alone (`eventsourcing`, one event "
        "to a cached aggregate of one field)",
        "floor: the same, then one read model caught up (a row and its tracking "
        "position, in the read models' database)",
        "projection rebuild events/s",
        "`audit verify` events/s",
        *(f"GET/s: {page.name}" for page in PAGES),
        # The pages that answer conditional GETs (web/routes/conditional.py).
        *(
            f"304 answers/s: {name}, asked again with its tag (If-None-Match)"
            for name in ("consortium overview", "partners", "decision log")
        ),
        "floor: 304 answers/s of a bare Starlette endpoint doing only a 304's one "
        "read (the session's row, the role and the consortium's position) and its "
        "HMAC, same store (`web/bench/tag_floor.py`)",
        *(
            f"p95 latency alone (1 connection) at {{n}} events: {page.name}"
            for page in PAGES
        ),
        *(
            f"{page.name} p95 alone, a consortium with 10× the commitments, votes "
            "and reports of a demo-sized one"
            for page in SCALED
        ),
        "POST + redirect GET round trip p95 (form post, command, read-your-writes, "
        "the page it redirects to)",
        "htmx POST round trip p95 (command, read-your-writes, the fragment)",
        "floor: GET/s of the page quickest to render, had it only rendered its "
        "template (its rendering timed in-process, plus a bare page's time a "
        "request)",
        *(
            f"memory growth of a full {name} export at {{n}} events (peak less the "
            "baseline of the same process)"
            for name in EXPORTS
        ),
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
    size = re.search(r"### ([\d,]+) events on SQLite \(quick\)", table)
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
    # The passes over the log and their limits are measured in turn, three times
    # each at this size, and the medians compared (one measurement moved by half).
    for figure, rounds in (
        ("projection rebuild events/s", "the rebuilds: median of 3 in turn"),
        ("`audit verify` events/s", "the verifications: median of 3 in turn"),
    ):
        (row,) = [r for r in rows if r.startswith(f"| {figure} |")]
        assert rounds in row
        assert row.count("median of 3 in turn") == 2
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        # A limit of its own, measured (a number, not the figure's own cell)...
        assert "this store is the reference" not in cells[2], row
        assert re.fullmatch(r"[\d,.]+(/s| ms| MiB|×)", cells[3]), row
        assert re.fullmatch(r"[\d.]+", cells[4]), row  # every ratio computed
        # ...and a goal the ratio can miss, with how far off when it does.
        assert re.fullmatch(r"[≥≤] [\d.]+", cells[5]), row
        assert re.fullmatch(r"yes|\*\*no\*\*: [\d,.]+× (short|over)", cells[6]), row
    page_rows = [line for line in pages_table.splitlines() if line.startswith("| ")]
    assert [r.split(" | ")[0].removeprefix("| ") for r in page_rows[2:]] == [
        page.name for page in PAGES
    ]
    # The reference is a store of its own, built in the same run.
    assert "as a separate store, the " in table
    assert "Machine:" in table


@pytest.mark.postgres
def test_bench_runs_end_to_end_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    # The export probes open the store in processes of their own: on PostgreSQL a
    # process must hold the deployment's form key, which the benchmark hands them.
    result = CliRunner().invoke(
        main,
        [
            "bench",
            "--events",
            "2000",
            "--quick",
            "--skip-scale",
            "--database-url",
            postgres_url,
            "--data-dir",
            str(tmp_path / "stores"),
            "--output",
            str(tmp_path / "performance.md"),
        ],
    )

    assert result.exit_code == 0, result.output + repr(result.exception)
    assert re.search(r"### [\d,]+ events on PostgreSQL", result.output), result.output
    lines = result.output.splitlines()
    growth = [line for line in lines if line.startswith("| memory growth of a full")]
    assert len(growth) == len(EXPORTS), result.output
