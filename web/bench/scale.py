"""Scale beyond one process: page reads over one and two web processes, and
concurrent writers.

Reads: the benchmark's page list is read in turn by several load-generator
processes, first from one ``consortium serve``-like uvicorn process, then from two
(each on its own port, the load generators' connections spread over them in turn,
as a round-robin proxy would). The same is done to the bare constant page, whose
two-to-one ratio is what the machine allows with this load: two cores shared by the
web processes, the load generators, the database and whatever else runs.

Writes: 1, 8 and 32 writers post the partner-axis form (command, save,
read-your-writes wait, redirect) at once through one web process, either spread
over several consortia (one coordinator's session each) or all on the same partner
of the measured consortium, the worst case, where optimistic concurrency refuses
the losers with 409 ("changed meanwhile, reload"); nothing retries them.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from web.bench import http, targets
from web.bench.builder import Flagship

APP = "web.bench.server:real_app"
BARE = "web.bench.server:bare_app"
WRITERS = (1, 8, 32)
"""How many writers post at once."""

Echo = Callable[[str], None]


@dataclass(frozen=True)
class ScaleEffort:
    """How hard the scale measurements push (each bounded in count and time)."""

    read_requests: int
    read_seconds: float
    load_processes: int
    connections: int
    """Connections per load-generator process."""
    writes: int
    """POSTs per writer, at most (each measurement is bounded by time too)."""
    write_seconds: float


@dataclass
class Cpu:
    """Where the cores went during a measurement, in cores (0 … CPU count)."""

    web: float
    load: float
    machine: float
    database: float = 0.0
    """PostgreSQL's server processes serving the benchmark (0 on SQLite, whose
    work is inside the web processes)."""

    @property
    def rest(self) -> float:
        """Everything else running on the machine."""
        return max(0.0, self.machine - self.web - self.load - self.database)


@dataclass
class Reads:
    """GET/s over the page list (and of the bare page) with 1 and 2 processes."""

    app: dict[int, dict[str, Any]] = field(default_factory=dict)
    bare: dict[int, dict[str, Any]] = field(default_factory=dict)
    cpu: dict[int, Cpu] = field(default_factory=dict)
    bare_cpu: dict[int, Cpu] = field(default_factory=dict)
    pages: int = 0

    def rate(self, which: str, processes: int) -> float:
        """Requests per second answered 200 (every other status is an error)."""
        result = (self.app if which == "app" else self.bare)[processes]
        return float(result["statuses"].get("200", 0) / result["seconds"])


@dataclass
class Writes:
    """One concurrent-writers measurement."""

    writers: int
    consortia: int
    result: dict[str, Any]

    @property
    def done(self) -> int:
        """Commands done (the form answered by its redirect)."""
        return int(self.result["statuses"].get("303", 0))

    @property
    def conflicts(self) -> int:
        """Commands refused as "changed meanwhile" (409), not retried."""
        return int(self.result["statuses"].get("409", 0))

    @property
    def errors(self) -> int:
        """Any other answer: there must be none."""
        return int(self.result["requests"]) - self.done - self.conflicts

    @property
    def rate(self) -> float:
        """Commands done per second."""
        return float(self.done / self.result["seconds"])


def _backends(database_url: str | None) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend now connected to the benchmark's
    database, when the server runs on this machine (empty otherwise)."""
    if not database_url:
        return {}
    import psycopg

    with psycopg.connect(database_url) as connection:
        pids = [
            int(row[0])
            for row in connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            )
        ]
    found = {}
    for pid in pids:
        try:
            found[pid] = http.cpu_seconds(pid)
        except OSError:  # on another machine, or gone meanwhile
            continue
    return found


def _measured(
    pids: list[int], database_url: str | None, measure: Callable[[], dict[str, Any]]
) -> tuple[dict[str, Any], Cpu]:
    """Run ``measure`` and say how many cores the servers, the load generators, the
    database and the whole machine used meanwhile."""
    servers = sum(http.cpu_seconds(pid) for pid in pids)
    backends = _backends(database_url)
    busy = http.machine_busy_seconds()
    started = time.perf_counter()
    result = measure()
    elapsed = time.perf_counter() - started
    web = (sum(http.cpu_seconds(pid) for pid in pids) - servers) / elapsed
    machine = (http.machine_busy_seconds() - busy) / elapsed
    # Pooled connections outlive the measurement; a backend that came and went
    # meanwhile is missed (the web processes' pools are warm before it starts).
    database = sum(
        cpu - backends.get(pid, 0.0) for pid, cpu in _backends(database_url).items()
    )
    return result, Cpu(
        web, result["cpu_seconds"] / elapsed, machine, database / elapsed
    )


def _load(
    database_url: str | None,
    servers: list[tuple[int, int]],
    effort: ScaleEffort,
    paths: list[str],
    session: http.Session | None,
) -> tuple[dict[str, Any], Cpu]:
    """Warm each server on each path, then load them all (round robin)."""
    for port, _pid in servers:  # each process answers each page once before the clock
        for path in paths:
            status, _text = http.get(port, path, session)
            if status != 200:
                raise RuntimeError(f"{path} answered {status} on port {port}")
    return _measured(
        [pid for _port, pid in servers],
        database_url,
        lambda: http.load_many(
            [http.Target(port, paths, session) for port, _pid in servers],
            processes=effort.load_processes,
            count=effort.read_requests,
            seconds=effort.read_seconds,
            concurrency=effort.connections,
        ),
    )


def measure(
    env: dict[str, str], flagship: Flagship, effort: ScaleEffort, echo: Echo
) -> tuple[Reads, list[Writes]]:
    """Reads with one web process then two (and the bare page's), then the
    concurrent writers through the first web process. The four servers start at
    once; a process not in a measurement sits idle."""
    apps = [(APP, env), (APP, env), (BARE, {}), (BARE, {})]
    with http.served_many(apps) as servers:
        app, bare = servers[:2], servers[2:]
        found = reads(env, app, bare, flagship, effort, echo)
        echo("Concurrent writers (POST round trips through one web process)…")
        return found, writes(app[0][0], flagship, effort, echo)


def reads(
    env: dict[str, str],
    app: list[tuple[int, int]],
    bare: list[tuple[int, int]],
    flagship: Flagship,
    effort: ScaleEffort,
    echo: Echo,
) -> Reads:
    """GET/s over the page list with one web process, then two; the bare page too."""
    paths = [targets.fill(page.path, flagship) for page in targets.PAGES]
    found = Reads(pages=len(paths))
    # Sessions live in the database: one login serves every process.
    session = http.log_in(
        app[0][0], flagship.coordinator_email, flagship.coordinator_password, paths[0]
    )
    for processes in (1, 2):
        found.app[processes], found.cpu[processes] = _load(
            env.get("CONSORTIUM_DATABASE_URL"), app[:processes], effort, paths, session
        )
        found.bare[processes], found.bare_cpu[processes] = _load(
            None, bare[:processes], effort, ["/page"], None
        )
        cpu = found.cpu[processes]
        echo(
            f"  {processes} web process(es): {found.rate('app', processes):,.0f} GET/s "
            f"(statuses {found.app[processes]['statuses']}), bare page "
            f"{found.rate('bare', processes):,.0f} GET/s; cores used: web {cpu.web:.2f}"
            f", load {cpu.load:.2f}, database {cpu.database:.2f}, the rest "
            f"{cpu.rest:.2f}"
        )
    return found


def writes(
    port: int, flagship: Flagship, effort: ScaleEffort, echo: Echo
) -> list[Writes]:
    """1, 8 and 32 writers at once, spread over consortia, then all on one."""
    everyone = [
        [flagship.consortium_id, flagship.coordinator_email, flagship.partner_id],
        *flagship.others,
    ]
    found: list[Writes] = []
    sessions: dict[str, http.Session] = {}

    def target(cid: str, email: str, partner: str) -> http.Target:
        if cid not in sessions:
            sessions[cid] = http.log_in(
                port, email, flagship.coordinator_password, f"/consortia/{cid}"
            )
        path = targets.POST_PATH.format(cid=cid, partner=partner)
        body = targets.post_body_template(
            sessions[cid].csrf_token, secrets.token_hex(4)
        )
        return http.Target(port, [path], sessions[cid], [body])

    plans = [(w, everyone[:w]) for w in WRITERS]
    plans += [(w, everyone[:1]) for w in WRITERS if w > 1]
    for writers, consortia in plans:
        result = http.load_many(
            [target(*c) for c in consortia],
            processes=1,
            count=effort.writes * writers,
            seconds=effort.write_seconds,
            concurrency=writers,
            method="POST",
        )
        measured = Writes(writers, len(consortia), result)
        found.append(measured)
        echo(
            f"  {writers} writer(s) on {len(consortia)} consortia: "
            f"{measured.rate:,.1f} commands/s, p50 {result['p50_ms']:.0f} ms, "
            f"p95 {result['p95_ms']:.0f} ms, statuses {result['statuses']}"
        )
    return found
