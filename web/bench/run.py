"""The benchmark run: build, measure each figure and its limit, write the table."""

from __future__ import annotations

import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass, replace
from typing import Any

import click

from web.bench import (
    floors,
    limits,
    machine,
    memory,
    pages,
    render_probe,
    scale,
    targets,
)
from web.bench.builder import BuildResult, Flagship, build
from web.bench.pages import PageEffort
from web.bench.results import REFERENCE_EVENTS, Echo, Options, Results, Row, Store
from web.bench.workspace import workspace
from web.ops.platform_keys import KeysDiffer
from web.ops.storage import Stores, open_stores
from web.settings import Settings

STORE_INFO = "bench-store.json"


@dataclass(frozen=True)
class Effort:
    """How hard each measurement pushes: bounded in count and in time."""

    pages: PageEffort
    commands: int
    command_seconds: float
    inserts: int
    insert_seconds: float
    scale: scale.ScaleEffort
    renders: int
    """Each page asked this many times for its template's rendering time."""


FULL = Effort(
    PageEffort(20_000, 5.0, 4, 2.0, 3, 4.0, 3),
    400,
    10.0,
    20_000,
    5.0,
    scale.ScaleEffort(6000, 10.0, 2, 4, 150, 10.0),
    100,
)


QUICK = Effort(
    PageEffort(40, 1.0, 2, 0.5, 1, 0.5, 1),
    20,
    2.0,
    100,
    1.0,
    scale.ScaleEffort(40, 1.0, 2, 2, 2, 1.0),
    5,
)


NOT_EMPTY = (
    "the store is not empty: give an empty database or data directory, "
    "or measure again the store an earlier run kept there with the same "
    "--data-dir and --reuse"
)


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
            try:
                stores = _open(settings)
            except KeysDiffer:
                # Kept by a run that did not keep its secret key beside it.
                raise StoreNotEmpty(
                    "the kept store's keys are not in --data-dir: it cannot be "
                    "opened again; give an empty database and data directory"
                ) from None
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
    try:
        stores = _open(settings)
    except KeysDiffer:
        # The database holds a deployment's keys, so a store: the same refusal.
        raise StoreNotEmpty(NOT_EMPTY) from None
    try:
        if stores.governance.recorder.max_notification_id():
            raise StoreNotEmpty(NOT_EMPTY)
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
        store.settings, effort.inserts, effort.insert_seconds
    )
    raw = inserted / seconds
    echo("The same goal's floors: the event store alone, then with a read model…")
    alone, caught_up = floors.command_floors(
        store.settings,
        store.settings.data_dir,
        effort.inserts // 4,
        effort.insert_seconds,
    )
    limit = "raw single-row insert transactions/s, one connection"
    return [
        Row(
            "commands/s through the service (command, save, projection caught up)",
            commands,
            "/s",
            limit,
            raw,
            "≥ 0.25",
        ),
        Row(
            "floor: commands/s of the event store alone (`eventsourcing`, one event "
            "to a cached aggregate of one field)",
            alone,
            "/s",
            limit,
            raw,
            "≥ 0.25",
        ),
        Row(
            "floor: the same, then one read model caught up (a row and its tracking "
            "position, in the read models' database)",
            caught_up,
            "/s",
            limit,
            raw,
            "≥ 0.25",
        ),
    ]


# Each pass over the log and its limit are measured in turn this many times (the
# medians compared), as long as one pass takes less than ``ROUND_SECONDS``: a single
# measurement of either moved by half from one run to the next (docs/performance.md).
LOG_ROUNDS = 3
ROUND_SECONDS = 20.0


def _rates(rounds: list[tuple[int, float]]) -> list[float]:
    return [count / max(seconds, 1e-9) for count, seconds in rounds]


def _spread(rates: list[float]) -> str:
    """``median of 3 in turn, 8,100–8,700/s``: how many rounds, and their range."""
    if len(rates) == 1:
        return "one round"
    return f"median of {len(rates)} in turn, {min(rates):,.0f}–{max(rates):,.0f}/s"


def _log_passes(store: Store, echo: Echo) -> list[Row]:
    from web.ops.audit_verify import verify_store

    echo("Rebuild, read and decode the log, audit verify, its mandatory hashing…")
    rebuilt = [store.rebuild]  # the first rebuild, right after the build
    decoded: list[tuple[int, float]] = []
    stores = _open(store.settings)
    try:
        decoded.append(limits.read_and_decode(stores))
        rounds = LOG_ROUNDS if store.rebuild[1] < ROUND_SECONDS else 1
        for _ in range(rounds - 1):
            started = time.perf_counter()
            count = stores.read_side.rebuild()
            rebuilt.append((count, time.perf_counter() - started))
            decoded.append(limits.read_and_decode(stores))
    finally:
        stores.close()
    rebuild_rates, decode_rates = _rates(rebuilt), _rates(decoded)
    rows = [
        Row(
            "projection rebuild events/s",
            statistics.median(rebuild_rates),
            "/s",
            "read of the log + decoding each event (the library's recorder and "
            f"mapper, as the rebuild reads), events/s ({_spread(decode_rates)}; "
            f"the rebuilds: {_spread(rebuild_rates)})",
            statistics.median(decode_rates),
            "≥ 0.30",
        )
    ]
    verified: list[float] = []
    hashed: list[tuple[int, float]] = []
    for _ in range(LOG_ROUNDS):
        report = verify_store(store.settings)
        if not report.ok:
            raise click.ClickException(f"audit verify found {report.findings_total}")
        verified.append(report.events_per_second)
        hashed.append(limits.mandatory_hashing(store.settings))
        if hashed[-1][1] >= ROUND_SECONDS:
            break
    hash_rates = _rates(hashed)
    rows.append(
        Row(
            "`audit verify` events/s",
            statistics.median(verified),
            "/s",
            "read of the stored records + their mandatory hashing (record hash, "
            f"chain link, Merkle leaf and nodes), events/s ({_spread(hash_rates)}; "
            f"the verifications: {_spread(verified)})",
            statistics.median(hash_rates),
            "≥ 0.80",
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


def _render_floor(
    store: Store, found: pages.Pages, effort: Effort, echo: Echo
) -> list[Row]:
    """The pages' floor: the quickest of them to render, had it done nothing else."""
    echo("The pages' templates alone, rendered in a process of their own…")
    paths = {
        page.name: targets.fill(page.path, store.flagship) for page in targets.PAGES
    }
    times = render_probe.page_render_times(
        _server_env(store.settings),
        store.flagship.coordinator_email,
        store.flagship.coordinator_password,
        list(paths.values()),
        effort.renders,
    )
    for name, path in paths.items():
        echo(f"  {name}: {times[path] * 1000:.2f} ms")
    bare = found.bare_rate.median
    # Served as the bare page is: its time a request (1/rate), then the rendering.
    floor = 1 / (min(times.values()) + 1 / bare) if bare > 0 else 0.0
    return [
        Row(
            "floor: GET/s of the page quickest to render, had it only rendered its "
            "template (its rendering timed in-process, plus a bare page's time a "
            "request)",
            floor,
            "/s",
            "GET/s of a bare Starlette constant page, same connections (the median "
            "of the pages' rows)",
            bare,
            "≥ 0.10",
        )
    ]


def _page_rows(found: pages.Pages, events: int) -> list[Row]:
    bare = found.bare_rate
    rows = [
        Row(
            f"GET/s: {page.name}",
            page.rate,
            "/s",
            "GET/s of a bare Starlette constant page, same connections "
            f"({bare.describe('/s')})",
            bare.median,
            "≥ 0.10",
        )
        for page in found.pages
    ]
    rows += [
        Row(
            f"304 answers/s: {measured.name}, asked again with its tag (If-None-Match)",
            measured.rate,
            "/s",
            "GET/s of a bare Starlette constant page, same connections, measured "
            "just before",
            measured.bare_rate,
            "≥ 0.30",
        )
        for measured in found.not_modified
    ]
    if found.tag_floor is not None:
        rows.append(
            Row(
                "floor: 304 answers/s of a bare Starlette endpoint doing only a 304's "
                "one read (the session's row, the role and the consortium's "
                "position) and its HMAC, same store (`web/bench/tag_floor.py`)",
                found.tag_floor.rate,
                "/s",
                "GET/s of a bare Starlette constant page, same connections, measured "
                "just before",
                found.tag_floor.bare_rate,
                "≥ 0.30",
            )
        )
    rows += [
        Row(
            f"p95 latency alone (1 connection) at {events:,} events: {page.name}",
            page.alone_p95_ms,
            " ms",
            f"the same page alone on the separate {REFERENCE_EVENTS:,}-event store, "
            "the two in turn (medians)",
            page.reference_p95_ms,
            "≤ 1.2",
        )
        for page in found.pages
    ]
    post = found.bare_post.describe(" ms")
    rows += [
        Row(
            f"{page.name} p95 alone, a consortium with 10× the commitments, votes "
            "and reports of a demo-sized one",
            page.tenfold.median,
            " ms",
            f"the {page.name} of a demo-sized consortium of the same store, alone, "
            f"in turn with it ({page.demo.describe(' ms')})",
            page.demo.median,
            "≤ 1.5",
        )
        for page in found.scaled
    ]
    rows += [
        Row(
            "POST + redirect GET round trip p95 (form post, command, read-your-writes, "
            "the page it redirects to)",
            found.post.median,
            " ms",
            f"p95 of a bare Starlette POST + GET of its redirect ({post})",
            found.bare_post.median,
            "≤ 5",
        ),
        Row(
            "htmx POST round trip p95 (command, read-your-writes, the fragment)",
            found.htmx.median,
            " ms",
            f"p95 of a bare Starlette POST + GET of its redirect ({post})",
            found.bare_post.median,
            "≤ 5",
        ),
    ]
    return rows


def _scale(store: Store, effort: Effort, echo: Echo, results: Results) -> list[Row]:
    """Reads over one and two web processes; 1, 8 and 32 concurrent writers, each
    compared with raw inserts from as many connections at once."""
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
            "same load, measured in turn",
            reads.rate("bare", n),
            "≥ 0.10",
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
    # PostgreSQL commits several connections' transactions at once (group commit):
    # N writers are compared with raw inserts from N connections. SQLite commits one
    # transaction at a time, whoever asks: its best is one connection's.
    postgres = bool(store.settings.database_url)
    counts = scale.WRITERS if postgres else (1,)
    echo(f"Raw insert transactions from {', '.join(map(str, counts))} connection(s)…")
    raw = {}
    for writers in counts:
        inserted, seconds = limits.raw_insert_transactions(
            store.settings, effort.inserts, effort.insert_seconds, writers
        )
        raw[writers] = inserted / seconds
        echo(f"  {writers} connection(s): {raw[writers]:,.0f} inserts/s")
    for measured in writes:
        where = (
            "all on one partner of one consortium"
            if measured.consortia == 1 and measured.writers > 1
            else f"over {measured.consortia} consortia"
            if measured.writers > 1
            else "on one consortium"
        )
        many = measured.writers > 1
        limit = (
            f"raw single-row insert transactions/s from {measured.writers} "
            + ("connections at once" if many else "connection")
            if postgres
            else "raw single-row insert transactions/s, one connection (SQLite "
            "commits one transaction at a time)"
        )
        rows.append(
            Row(
                f"commands/s, {measured.writers} concurrent writer"
                f"{'s' if many else ''} {where} (POST round trips answered 303)",
                measured.rate,
                "/s",
                limit,
                raw[measured.writers if postgres else 1],
                "≥ 0.25",
            )
        )
    if postgres:
        one = next(w for w in writes if w.writers == 1)
        # The first eight-writer plan: spread over consortia (the second is all on
        # one partner, where optimistic concurrency refuses most of them).
        eight = next(w for w in writes if w.writers == 8)
        rows.append(
            Row(
                f"write scaling: commands/s, 8 concurrent writers over "
                f"{eight.consortia} consortia ÷ 1 writer",
                eight.rate,
                "/s",
                "commands/s, 1 writer (the same POSTs, measured in the same run)",
                one.rate,
                "≥ 2",
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
        reference = _prepare(reference_settings, REFERENCE_EVENTS, echo, options.reuse)
        results = Results(options, store, reference)
        # Counted before the measurements, whose commands add to its history.
        results.flagship_events = _flagship_events(store)
        results.rows += _log_passes(store, echo)
        echo(
            "Pages through HTTP (uvicorn on loopback, load from another process), "
            f"each with its bare page and the {REFERENCE_EVENTS:,}-event store's…"
        )
        found = pages.measure(
            _server_env(store.settings),
            _server_env(reference.settings),
            store.flagship,
            reference.flagship,
            effort.pages,
            echo,
        )
        results.pages = found.pages
        results.rows += _page_rows(found, store.events)
        results.rows += _render_floor(store, found, effort, echo)
        echo("Exports' memory growth…")
        results.rows += memory.export_rows(
            memory.export_growths(store), memory.export_growths(reference), store.events
        )
        # After the pages and exports: its pledges add to the measured consortium's
        # ledger, which would then be longer than the reference store's it is
        # compared with (200 pledges made the ledger page look 2.7 times slower).
        results.rows[0:0] = _commands(store, effort, echo)
        if not options.skip_scale:
            results.rows += _scale(store, effort, echo, results)
        results.notes = machine.notes(main)
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
