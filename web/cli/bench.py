"""``bench``: the benchmark, reached from here only (an import contract)."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from web.cli.group import Exit, Failure, main


@main.command()
@click.option(
    "--events",
    type=click.IntRange(1000, 1_000_000),
    default=10_000,
    show_default=True,
    help="Size of the synthetic history (1000 … 1000000).",
)
@click.option(
    "--database-url",
    default=None,
    help="An empty PostgreSQL database (default: SQLite in --data-dir); what the "
    "run creates in it is dropped at the end, unless --data-dir keeps it.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to build the stores, kept for --reuse (default: a temporary "
    "directory, removed).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("bench-results.md"),
    show_default=True,
    help="The Markdown tables are written here (docs/performance.md, say): in place "
    "of this backend's and options' section if the file has one, else added.",
)
@click.option("--quick", is_flag=True, help="Few requests per figure (CI smoke run).")
@click.option(
    "--reuse",
    is_flag=True,
    help="Measure again the store an earlier run kept in --data-dir.",
)
@click.option(
    "--skip-scale",
    is_flag=True,
    help="Skip reads over 2 web processes and the concurrent writers (slow).",
)
def bench(
    events: int,
    database_url: str | None,
    data_dir: Path | None,
    output: Path,
    quick: bool,
    reuse: bool,
    skip_scale: bool,
) -> None:
    """Build a synthetic history and measure it against this machine's limits."""
    from web.bench.report import section_key, table, write
    from web.bench.results import Options
    from web.bench.run import run

    if reuse and data_dir is None:
        raise Failure(
            "--reuse needs --data-dir: the directory where an earlier run kept its "
            "store",
            Exit.BAD_INPUT,
        )
    logging.getLogger().setLevel(logging.WARNING)
    results = run(
        Options(
            events=events,
            database_url=database_url,
            data_dir=data_dir,
            output=output,
            quick=quick,
            reuse=reuse,
            skip_scale=skip_scale,
        )
    )
    text = table(results)
    write(output, text, section_key(results))
    click.echo(text)
    click.echo(f"Written to {output}.")
    if data_dir is not None:
        kept = " and the PostgreSQL database" if database_url else ""
        click.echo(
            f"The stores are kept in {data_dir}{kept}: add --reuse to measure them "
            "again."
        )
