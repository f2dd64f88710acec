"""The benchmark's results as Markdown: the table of figures and limits, the writers'
details, and notes on what was built and the machine.
"""

from __future__ import annotations

import os

from web.bench import scale
from web.bench.results import Results


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


def table(results: Results) -> str:
    """The results as Markdown: the table, then what was built and the machine."""
    store = results.store
    backend = "PostgreSQL" if store.settings.database_url else "SQLite"
    lines = [
        f"### {store.events:,} events on {backend}"
        + (" (quick)" if results.options.quick else ""),
        "",
        "| figure | value | limit it is compared with | limit | ratio | goal | met |",
        "| --- | ---: | --- | ---: | ---: | --- | --- |",
    ]
    for row in results.rows:
        lines.append(
            f"| {row.figure} | {_number(row.value, row.unit)} | {row.limit} | "
            f"{_number(row.limit_value, row.unit)} | {row.ratio:.2f} | {row.goal} | "
            f"{'yes' if row.met else '**no**'} |"
        )
    if results.writes:
        lines += ["", "Concurrent writers:", "", *writers_table(results.writes)]
    rebuild = store.rebuild
    added = results.flagship_events_after - results.flagship_events
    lines += [
        "",
        f"Built {store.events:,} events ({store.consortia:,} consortia; the measured "
        f"one has {results.flagship_events:,} entries in its audit trail, and the "
        f"measurements' own commands added {added:,}) in "
        f"{store.build_seconds:.0f} s"
        f" ({store.events / max(store.build_seconds, 1e-9):,.0f} events/s); "
        + (f"read models rebuilt in {rebuild[1]:.0f} s; " if rebuild[0] else "")
        + f"whole run {results.seconds:.0f} s.",
        "",
        *(f"- {note}" for note in results.notes),
        *([f"- {_reads_note(results.reads)}"] if results.reads else []),
        "",
    ]
    return "\n".join(lines)
