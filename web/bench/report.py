"""The benchmark's results as Markdown: the table of figures and limits, the writers'
details, and notes on what was built and the machine.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from web.bench import scale
from web.bench.results import PageTimes, Results, Row


def writers_table(writes: list[scale.Writes]) -> list[str]:
    """The concurrent writers' details: throughput, latency, conflicts, errors."""
    lines = [
        "| writers | consortia | POSTs | commands/s (303) | p50 | p95 | "
        "conflicts (409, not retried) | errors |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for w in writes:
        lines.append(
            f"| {w.writers} | {w.consortia} | {w.result['requests']:,} | "
            f"{w.rate:,.1f}/s | {w.result['p50_ms']:,.0f} ms | "
            f"{w.result['p95_ms']:,.0f} ms | {w.conflicts:,} | "
            f"{w.errors if not w.errors else f'**{w.errors}**'} |"
        )
    return lines


def _reads_note(reads: scale.Reads) -> str:
    def used(cpu: dict[int, scale.Cpu]) -> str:
        return "; ".join(
            f"{n} process{'es' if n > 1 else ''}: web {cpu[n].web:.2f}, load "
            f"generators {cpu[n].load:.2f}, database {cpu[n].database:.2f}, the "
            f"rest {cpu[n].rest:.2f}"
            for n in (1, 2)
        )

    return (
        f"Reads over web processes: two load-generator processes, {reads.pages} "
        "pages in turn; their connections spread over the web processes in turn "
        "(one port each, as a round-robin proxy would). Cores used (of "
        f"{os.cpu_count()}; database: the PostgreSQL backends serving the web "
        "processes, 0 on SQLite where that work is the web processes'; the rest: "
        f"other work on the machine), pages: {used(reads.cpu)}; bare page: "
        f"{used(reads.bare_cpu)}. "
        # What the application does with the cores it got, whatever else runs.
        "GET/s over the pages per core the web processes used: "
        + ", ".join(
            f"{reads.rate('app', n) / max(reads.cpu[n].web, 1e-9):,.0f} with {n}"
            for n in (1, 2)
        )
        + "."
    )


def _number(value: float, unit: str) -> str:
    if unit == "/s":
        return f"{value:,.0f}/s" if value >= 10 else f"{value:,.1f}/s"
    if unit == "×":
        return f"{value:,.2f}×"
    return f"{value:,.1f}{unit}"


def verdict(row: Row) -> str:
    """``yes``, or ``**no**`` and how far off: the factor by which the ratio must
    grow (goal ``≥``) or shrink (goal ``≤``) to meet the goal."""
    if row.met:
        return "yes"
    if row.off_by == float("inf"):
        return "**no** (not measured)"
    return f"**no**: {row.off_by:,.1f}× {'short' if row.higher_is_better else 'over'}"


def pages_table(pages: list[PageTimes]) -> list[str]:
    """Each page's latency with the load's connections and alone (1 connection)."""
    lines = [
        f"| page | GET/s ({pages[0].connections} connections) | p50 | p95 | "
        "p50 alone | p95 alone | p95 alone, reference store |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page in pages:
        lines.append(
            f"| {page.name} | {page.rate:,.0f}/s | {page.p50_ms:,.1f} ms | "
            f"{page.p95_ms:,.1f} ms | {page.alone_p50_ms:,.1f} ms | "
            f"{page.alone_p95_ms:,.1f} ms | {page.reference_p95_ms:,.1f} ms |"
        )
    return lines


def table(results: Results) -> str:
    """The results as Markdown: the table, then what was built and the machine."""
    store = results.store
    lines = [
        f"### {store.events:,} events on {backend(results)}"
        + (" (quick)" if results.options.quick else ""),
        "",
        "| figure | value | limit it is compared with | limit | ratio | goal | met |",
        "| --- | ---: | --- | ---: | ---: | --- | --- |",
    ]
    for row in results.rows:
        lines.append(
            f"| {row.figure} | {_number(row.value, row.unit)} | {row.limit} | "
            f"{_number(row.limit_value, row.unit)} | {row.ratio:.2f} | {row.goal} | "
            f"{verdict(row)} |"
        )
    if results.pages:
        lines += [
            "",
            "Pages, with the load's connections and alone:",
            "",
            *pages_table(results.pages),
        ]
    if results.writes:
        lines += ["", "Concurrent writers:", "", *writers_table(results.writes)]
    rebuild = store.rebuild
    added = results.flagship_events_after - results.flagship_events
    reference = results.reference
    lines += [
        "",
        f"Built {store.events:,} events ({store.consortia:,} consortia; the measured "
        f"one has {results.flagship_events:,} entries in its audit trail, and the "
        f"measurements' own commands added {added:,}) in "
        f"{store.build_seconds:.0f} s"
        f" ({store.events / max(store.build_seconds, 1e-9):,.0f} events/s); "
        + (f"read models rebuilt in {rebuild[1]:.0f} s; " if rebuild[0] else "")
        + f"and, as a separate store, the {reference.events:,}-event reference "
        f"({reference.consortia:,} consortia) in {reference.build_seconds:.0f} s; "
        f"whole run {results.seconds:.0f} s.",
        "",
        *(f"- {note}" for note in results.notes),
        *([f"- {_reads_note(results.reads)}"] if results.reads else []),
        "",
    ]
    return "\n".join(lines)


def backend(results: Results) -> str:
    """The store's kind, as the table names it."""
    return "PostgreSQL" if results.store.settings.database_url else "SQLite"


def section_key(results: Results) -> str:
    """What a run's section in the output file is kept under: the backend and the
    options that change the figures (a quick run never replaces a full one)."""
    options = results.options
    return f"{backend(results)} --events {options.events}" + (
        " --quick" if options.quick else ""
    )


def write(path: Path, text: str, key: str) -> None:
    """Write a run's table into ``path`` (``docs/performance.md``, say): between the
    markers of its section (its backend and options, each marker on a line of its
    own) if the file has them, leaving the rest of the file as it is; else added at
    the end of the file (which is created if need be). A marker quoted inside a
    line of text is not one."""
    begin, end = f"<!-- bench: {key} -->", f"<!-- /bench: {key} -->"
    section = f"{begin}\n{text.rstrip()}\n{end}\n"
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    found = re.search(
        f"^{re.escape(begin)}$.*?^{re.escape(end)}$", current, re.MULTILINE | re.DOTALL
    )
    if found:
        updated = current[: found.start()] + section.rstrip("\n")
        updated += current[found.end() :]
    else:
        updated = current + ("\n" if current and not current.endswith("\n") else "")
        updated += ("\n" if current else "") + section
    path.write_text(updated, encoding="utf-8")
