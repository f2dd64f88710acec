"""The benchmark run: build, measure each figure and its limit, write the table."""

from __future__ import annotations

import json
import os
import platform
import secrets
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, replace
from importlib.metadata import version
from typing import Any

import click
import psycopg

from web.bench import http, limits, scale, targets
from web.bench.builder import BuildResult, Flagship, build
from web.bench.results import REFERENCE_EVENTS, Echo, Options, Results, Row, Store
from web.bench.workspace import workspace
from web.ops.storage import Stores, open_stores
from web.settings import Settings

STORE_INFO = "bench-store.json"


@dataclass(frozen=True)
class Effort:
    """How hard each measurement pushes: bounded in count and in time."""

    page_requests: int
    page_seconds: float
    concurrency: int
    commands: int
    command_seconds: float
    posts: int
    inserts: int
    scale: scale.ScaleEffort


FULL = Effort(
    3000, 12.0, 4, 400, 20.0, 300, 2000, scale.ScaleEffort(6000, 15.0, 2, 4, 150, 10.0)
)


QUICK = Effort(60, 2.0, 2, 20, 3.0, 15, 100, scale.ScaleEffort(40, 2.0, 2, 2, 2, 2.0))


class StoreNotEmpty(click.ClickException):
    """Raised when the benchmark is pointed at a store that holds events already."""

    exit_code = 5  # the CLI's "refused, nothing changed"


def _bench_settings(settings: Settings) -> Settings:
    # Accounts are hashed cheaply while building (thousands of synthetic people).
    return replace(settings, password_time_cost=1, password_memory_kib=1024)


def _open(settings: Settings) -> Stores:
    return open_stores(_bench_settings(settings))


def _prepare(settings: Settings, events: int, echo: Echo, reuse: bool) -> Store:
    """Build a store of about ``events`` events, and fill its read models."""
    info_path = settings.data_dir / STORE_INFO
    if reuse and info_path.exists():
        info = json.loads(info_path.read_text())
        if info["events"] >= 0.9 * events and info.get("url") == settings.database_url:
            echo(
                f"Reusing the store of {info['events']:,} events in {settings.data_dir}"
            )
            stores = _open(settings)
            try:
                rebuilt = _rebuild(stores, info["events"])
            finally:
                stores.close()
            return Store(
                settings,
                Flagship(**info["flagship"]),
                info["events"],
                info["consortia"],
                info["build_seconds"],
                rebuilt,
            )
    stores = _open(settings)
    try:
        if stores.governance.recorder.max_notification_id():
            raise StoreNotEmpty(
                "the store is not empty: give an empty database or data directory, "
                "or measure again the store an earlier run kept there with the same "
                "--data-dir and --reuse"
            )
        with click.progressbar(
            length=events, label=f"Building {events:,} events", file=sys.stderr
        ) as bar:
            result: BuildResult = build(stores, events, progress=bar.update)
        echo(
            f"Built {result.events:,} events ({result.consortia:,} consortia) in "
            f"{result.seconds:.1f} s ({result.events / result.seconds:,.0f} events/s)."
        )
        rebuilt = _rebuild(stores, result.events)
    finally:
        stores.close()
    store = Store(
        settings,
        result.flagship,
        result.events,
        result.consortia,
        result.seconds,
        rebuilt,
    )
    info_path.write_text(
        json.dumps(
            {
                "events": store.events,
                "consortia": store.consortia,
                "build_seconds": store.build_seconds,
                "flagship": asdict(store.flagship),
                "url": settings.database_url,
            }
        )
    )
    return store


def _rebuild(stores: Stores, total: int) -> tuple[int, float]:
    """Replay the whole log into empty read models (as ``projections rebuild``)."""
    with click.progressbar(
        length=total, label="Rebuilding the read models", file=sys.stderr
    ) as bar:
        done = 0

        def advance(progress: Any) -> None:
            nonlocal done
            bar.update(progress.position - done)
            done = progress.position

        started = time.perf_counter()
        count = stores.read_side.rebuild(progress=advance)
        return count, time.perf_counter() - started


# -- the figures -----------------------------------------------------------------


def _commands(store: Store, effort: Effort, echo: Echo) -> list[Row]:
    echo("Commands through the service, and raw insert transactions…")
    stores = _open(store.settings)
    try:
        cycle = targets.command_cycle(stores, store.flagship)
        started = time.perf_counter()
        done = 0
        while done < effort.commands and (
            time.perf_counter() - started < effort.command_seconds
        ):
            position = cycle[done % len(cycle)](done)
            stores.read_side.wait_for(position)
            done += 1
        commands = done / (time.perf_counter() - started)
    finally:
        stores.close()
    inserted, seconds = limits.raw_insert_transactions(
        store.settings, effort.inserts, effort.command_seconds
    )
    return [
        Row(
            "commands/s through the service (command, save, projection caught up)",
            commands,
            "/s",
            "raw single-row insert transactions/s",
            inserted / seconds,
            "≥ 0.30",
        )
    ]


def _log_passes(store: Store, echo: Echo) -> list[Row]:
    from web.ops.audit_verify import verify_store

    echo("Raw reads of the log, audit verify…")
    read, read_seconds = limits.raw_read(store.settings)
    rows = []
    if store.rebuild[0]:
        rows.append(
            Row(
                "projection rebuild events/s",
                store.rebuild[0] / store.rebuild[1],
                "/s",
                "raw sequential read of the log, events/s",
                read / read_seconds,
                "≥ 0.15",
            )
        )
    report = verify_store(store.settings)
    if not report.ok:
        raise click.ClickException(f"audit verify found {report.findings_total}")
    hashed, hash_seconds = limits.raw_read_and_hash(store.settings)
    rows.append(
        Row(
            "`audit verify` events/s",
            report.events_per_second,
            "/s",
            "raw read of the log + SHA-256 of each record, events/s",
            hashed / hash_seconds,
            "≥ 0.50",
        )
    )
    return rows


def _server_env(settings: Settings) -> dict[str, str]:
    env = {
        "CONSORTIUM_DATA_DIR": str(settings.data_dir),
        "CONSORTIUM_SECRET_KEY": settings.secret_key,
    }
    if settings.database_url:
        env["CONSORTIUM_DATABASE_URL"] = settings.database_url
    return env


def _measure_pages(
    store: Store, effort: Effort, echo: Echo, *, post: bool
) -> dict[str, dict[str, Any]]:
    """Each page's load result (and the POST's) against the real application."""
    results: dict[str, dict[str, Any]] = {}
    flagship = store.flagship
    with http.served("web.bench.server:real_app", _server_env(store.settings)) as port:
        overview = targets.fill(targets.PAGES[0].path, flagship)
        session = http.log_in(
            port, flagship.coordinator_email, flagship.coordinator_password, overview
        )
        for page in targets.PAGES:
            path = targets.fill(page.path, flagship)
            status, _text = http.get(port, path, session)
            if status != 200:
                raise click.ClickException(f"{page.name} ({path}) answered {status}")
            results[page.name] = http.load(
                port,
                [path],
                count=effort.page_requests,
                seconds=effort.page_seconds,
                concurrency=effort.concurrency,
                session=session,
            )
            echo(f"  {page.name}: {_summary(results[page.name])}")
        if post:
            path = targets.fill(targets.POST_PATH, flagship)
            results["POST"] = http.load(
                port,
                [path],
                count=effort.posts,
                seconds=effort.page_seconds,
                concurrency=1,
                session=session,
                method="POST",
                bodies=targets.post_bodies(session.csrf_token, secrets.token_hex(4)),
            )
            if set(results["POST"]["statuses"]) != {"303"}:
                raise click.ClickException(
                    f"the POST answered {results['POST']['statuses']}"
                )
            echo(f"  POST {path}: {_summary(results['POST'])}")
    return results


def _summary(result: dict[str, Any]) -> str:
    rate = result["requests"] / result["seconds"]
    return (
        f"{rate:,.0f}/s, p95 {result['p95_ms']:.1f} ms, statuses {result['statuses']}"
    )


def _measure_bare(effort: Effort, echo: Echo) -> dict[str, dict[str, Any]]:
    with http.served("web.bench.server:bare_app", {}) as port:
        page = http.load(
            port,
            ["/page"],
            count=effort.page_requests,
            seconds=effort.page_seconds,
            concurrency=effort.concurrency,
        )
        post = http.load(
            port,
            ["/post"],
            count=effort.posts,
            seconds=effort.page_seconds,
            concurrency=1,
            method="POST",
            bodies=["next=%2Fpage&axis=x"],
        )
    echo(f"  bare page: {_summary(page)}; bare POST: {_summary(post)}")
    return {"page": page, "post": post}


def _page_rows(
    at_size: dict[str, dict[str, Any]],
    reference: dict[str, dict[str, Any]],
    bare: dict[str, dict[str, Any]],
    events: int,
) -> list[Row]:
    rows = []
    bare_rate = bare["page"]["requests"] / bare["page"]["seconds"]
    for page in targets.PAGES:
        result = at_size[page.name]
        rows.append(
            Row(
                f"GET/s: {page.name}",
                result["requests"] / result["seconds"],
                "/s",
                "GET/s of a bare Starlette constant page",
                bare_rate,
                "≥ 0.40",
            )
        )
    for page in targets.PAGES:
        rows.append(
            Row(
                f"p95 latency at {events:,} events: {page.name}",
                at_size[page.name]["p95_ms"],
                " ms",
                f"the same at {REFERENCE_EVENTS:,} events"
                if reference is not at_size
                else "the same (this store is the reference)",
                reference[page.name]["p95_ms"],
                "≤ 1.2",
                higher_is_better=False,
            )
        )
    rows.append(
        Row(
            "POST command round trip p95 (form post to redirect, read-your-writes)",
            at_size["POST"]["p95_ms"],
            " ms",
            "p95 of a bare Starlette POST (form read, redirect)",
            bare["post"]["p95_ms"],
            "≤ 3.0",
            higher_is_better=False,
        )
    )
    return rows


def _export_peaks(store: Store) -> dict[str, float]:
    peaks = {}
    for name in targets.EXPORTS:
        spec = {
            "data_dir": str(store.settings.data_dir),
            "database_url": store.settings.database_url or "",
            "consortium_id": store.flagship.consortium_id,
            "export": name,
        }
        result = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "web.bench.export_probe", json.dumps(spec)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "CONSORTIUM_SECRET_KEY": store.settings.secret_key},
        )
        peaks[name] = json.loads(result.stdout)["peak_kib"] / 1024
    return peaks


def _export_rows(
    at_size: dict[str, float], reference: dict[str, float], events: int
) -> list[Row]:
    return [
        Row(
            f"peak memory of a full {name} export at {events:,} events",
            at_size[name],
            " MiB",
            f"the same export at {REFERENCE_EVENTS:,} events"
            if reference is not at_size
            else "the same (this store is the reference)",
            reference[name],
            "≤ 1.5",
            higher_is_better=False,
        )
        for name in targets.EXPORTS
    ]


def _scale(store: Store, effort: Effort, echo: Echo, results: Results) -> list[Row]:
    """Reads over one and two web processes; 1, 8 and 32 concurrent writers."""
    env = _server_env(store.settings)
    echo("Page reads over 1 and 2 web processes (load from 2 processes)…")
    reads, writes = scale.measure(env, store.flagship, effort.scale, echo)
    results.reads, results.writes = reads, writes
    pages = f"the {reads.pages} pages in turn"
    rows = [
        Row(
            f"GET/s over {pages}, {n} web process{'es' if n > 1 else ''}",
            reads.rate("app", n),
            "/s",
            f"GET/s of the bare constant page, {n} process{'es' if n > 1 else ''}, "
            "same load",
            reads.rate("bare", n),
            "≥ 0.40",
        )
        for n in (1, 2)
    ]
    rows.append(
        Row(
            f"read scaling: GET/s over {pages}, 2 web processes ÷ 1",
            reads.rate("app", 2) / reads.rate("app", 1),
            "×",
            "the bare page's 2 processes ÷ 1 on this machine and load",
            reads.rate("bare", 2) / reads.rate("bare", 1),
            "≥ 0.80",
        )
    )
    inserts = next(r for r in results.rows if r.figure.startswith("commands/s"))
    for measured in writes:
        where = (
            "all on one partner of one consortium"
            if measured.consortia == 1 and measured.writers > 1
            else f"over {measured.consortia} consortia"
            if measured.writers > 1
            else "on one consortium"
        )
        rows.append(
            Row(
                f"commands/s, {measured.writers} concurrent writer"
                f"{'s' if measured.writers > 1 else ''} {where} (POST round trips "
                "answered 303)",
                measured.rate,
                "/s",
                inserts.limit,
                inserts.limit_value,
                "≥ 0.30",
            )
        )
    return rows


# -- the run ---------------------------------------------------------------------


def run(options: Options, echo: Echo = click.echo) -> Results:
    """Build, measure every figure and its limit; returns the results."""
    started = time.perf_counter()
    effort = QUICK if options.quick else FULL
    with workspace(options) as (main, reference_settings):
        store = _prepare(main, options.events, echo, options.reuse)
        reference = (
            _prepare(reference_settings, REFERENCE_EVENTS, echo, options.reuse)
            if reference_settings
            else None
        )
        results = Results(options, store, reference)
        # Counted before the measurements, whose commands add to its history.
        results.flagship_events = _flagship_events(store)
        results.rows += _log_passes(store, echo)
        echo("Pages through HTTP (uvicorn on loopback, load from another process)…")
        bare = _measure_bare(effort, echo)
        at_size = _measure_pages(store, effort, echo, post=True)
        if reference is not None:
            echo(f"The same pages at {REFERENCE_EVENTS:,} events…")
            at_reference = _measure_pages(reference, effort, echo, post=False)
        else:
            at_reference = at_size
        results.rows += _page_rows(at_size, at_reference, bare, store.events)
        echo("Exports' peak memory…")
        peaks = _export_peaks(store)
        results.rows += _export_rows(
            peaks, _export_peaks(reference) if reference else peaks, store.events
        )
        # After the pages and exports: its pledges add to the measured consortium's
        # ledger, which would then be longer than the reference store's it is
        # compared with (200 pledges made the ledger page look 2.7 times slower).
        results.rows[0:0] = _commands(store, effort, echo)
        if not options.skip_scale:
            results.rows += _scale(store, effort, echo, results)
        results.notes = _machine(main)
        results.flagship_events_after = _flagship_events(store)
    results.seconds = time.perf_counter() - started
    return results


def _flagship_events(store: Store) -> int:
    from sqlalchemy import func, select

    from projections.history import history

    stores = _open(store.settings)
    try:
        with stores.read_side.engine.connect() as connection:
            return int(
                connection.scalar(
                    select(func.count())
                    .select_from(history)
                    .where(history.c.consortium_id == store.flagship.consortium_id)
                )
                or 0
            )
    finally:
        stores.close()


def _machine(settings: Settings) -> list[str]:
    """The machine and software the figures were measured on."""
    cpu = ""
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with open("/proc/meminfo", encoding="utf-8") as info:
        memory = f"{int(info.readline().split()[1]) / 1024 / 1024:.0f} GiB RAM"
    disk = (
        subprocess.run(  # noqa: S603 - a fixed command on our own directory
            ["df", "-hT", str(settings.data_dir)],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        .stdout.splitlines()[-1]
        .split()
    )
    software = ", ".join(
        f"{name} {version(name)}"
        for name in ("eventsourcing", "sqlalchemy", "starlette", "uvicorn", "psycopg")
    )
    database = f"SQLite {sqlite3.sqlite_version} (WAL; event store synchronous=FULL)"
    if settings.database_url:
        with psycopg.connect(settings.database_url) as connection:
            server = connection.execute("SHOW server_version").fetchone()
            sync = connection.execute("SHOW synchronous_commit").fetchone()
            fsync = connection.execute("SHOW fsync").fetchone()
        database = (
            f"PostgreSQL {server[0] if server else '?'} (synchronous_commit="
            f"{sync[0] if sync else '?'}, fsync={fsync[0] if fsync else '?'})"
        )
    return [
        f"Machine: {os.cpu_count()} CPUs ({cpu}), {memory}, disk {disk[1]} "
        f"{disk[0]} ({disk[2]}), {platform.system()} {platform.release()}",
        f"Software: Python {platform.python_version()}, {database}, {software}",
        "Load: a separate Python process (asyncio, keep-alive, closed loop) on "
        "loopback; uvicorn, one process, no access log, for both the application and "
        "the bare endpoint; the scheduler is off while measuring.",
    ]
