"""The load generator: a separate process sending HTTP/1.1 requests on loopback.

``python -m web.bench.loadgen SPEC`` reads a JSON spec (host, port, requests, a
bounded count and time, concurrency, headers, bodies) and prints one JSON line:
requests done, seconds, statuses, latencies' p50/p95/p99 in milliseconds and the
CPU seconds this process used. Each of ``concurrency`` keep-alive connections sends
its next request when the previous answer is read (a closed loop), cycling through
the given paths.

A spec may also list ``targets`` (each a port, paths, headers and bodies, any of
them omitted taking the spec's): connection ``i`` then talks to target ``i`` modulo
their number, which spreads connections over several servers (round robin) or gives
each writer its own session. ``{n}`` in a body becomes the request's number, so
every posted form differs. With ``follow`` a redirect is followed on the same
connection (a GET with the same headers and the cookies the answers set, as a
browser does after a form), and the request's latency and status are those of the
whole round trip. With ``raw`` the
answer also holds every latency, so that several load generators' answers can be
merged.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from typing import Any


async def _read_response(
    reader: asyncio.StreamReader, jar: dict[str, str]
) -> tuple[int, bool, str | None]:
    """Read one response; returns its status, whether the server keeps alive, and
    where it redirects (its ``Location``, if any). The cookies it sets go in
    ``jar``, as a browser keeps them."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
            if name.strip().lower() == "set-cookie":
                _keep(jar, value.strip())
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    alive = headers.get("connection", "").lower() != "close"
    return status, alive, headers.get("location")


def _keep(jar: dict[str, str], set_cookie: str) -> None:
    """Keep (or drop, at ``Max-Age=0``) the cookie a ``Set-Cookie`` value sets."""
    pair, *attributes = set_cookie.split(";")
    name, _, value = pair.strip().partition("=")
    if any(a.strip().lower() == "max-age=0" for a in attributes):
        jar.pop(name, None)
    else:
        jar[name] = value


def _request(
    spec: dict[str, Any],
    path: str,
    index: int,
    jar: dict[str, str],
    method: str | None = None,
) -> bytes:
    method = method or spec.get("method", "GET")
    bodies: list[str] = spec.get("bodies") or [""]
    body = bodies[index % len(bodies)].replace("{n}", str(index)).encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {spec['host']}:{spec['port']}"]
    headers = dict(spec.get("headers", {}))
    if jar:
        # The spec's cookies (the session), then those the server set since.
        kept = "; ".join(f"{name}={value}" for name, value in jar.items())
        headers["Cookie"] = "; ".join(c for c in (headers.get("Cookie"), kept) if c)
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if method == "GET":
        return ("\r\n".join(lines) + "\r\n\r\n").encode()
    lines.append("Content-Type: application/x-www-form-urlencoded")
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _worker(
    spec: dict[str, Any],
    state: dict[str, Any],
    latencies: list[float],
    statuses: Counter[int],
) -> None:
    reader, writer = await asyncio.open_connection(spec["host"], spec["port"])
    paths = spec["paths"]
    # The cookies the server set on this connection's answers (a browser's jar).
    jar: dict[str, str] = {}
    # The first byte of the first request waits for every connection to be open.
    await state["ready"].wait()
    try:
        while state["left"] > 0 and time.perf_counter() < state["deadline"]:
            state["left"] -= 1
            index = state["sent"]
            state["sent"] += 1
            started = time.perf_counter()
            writer.write(_request(spec, paths[index % len(paths)], index, jar))
            status, alive, location = await _read_response(reader, jar)
            if spec.get("follow") and location and 300 <= status < 400 and alive:
                # The browser's next request, on the same connection: the round
                # trip ends when the page it is sent to has arrived.
                writer.write(_request(spec, location, index, jar, "GET"))
                status, alive, _location = await _read_response(reader, jar)
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1
            if not alive:
                writer.close()
                reader, writer = await asyncio.open_connection(
                    spec["host"], spec["port"]
                )
    finally:
        writer.close()


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    """Send the spec's requests; returns the counts and latency percentiles."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    cpu = time.process_time()
    targets = [{**spec, **target} for target in spec.get("targets") or [{}]]
    ready = asyncio.Event()
    state: dict[str, Any] = {"left": spec["count"], "sent": 0, "ready": ready}
    workers = [
        asyncio.ensure_future(
            _worker(targets[i % len(targets)], state, latencies, statuses)
        )
        for i in range(spec.get("concurrency", 1))
    ]
    await asyncio.sleep(0.2)  # let the connections open before the clock starts
    started = time.perf_counter()
    state["deadline"] = started + spec["seconds"]
    ready.set()
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)

    def percentile(share: float) -> float:
        if not ordered:
            return 0.0
        return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    answer: dict[str, Any] = {
        "requests": len(ordered),
        "seconds": elapsed,
        "statuses": {str(k): v for k, v in statuses.items()},
        "p50_ms": percentile(0.50),
        "p95_ms": percentile(0.95),
        "p99_ms": percentile(0.99),
        "cpu_seconds": time.process_time() - cpu,
    }
    if spec.get("raw"):
        answer["latencies_ms"] = [1000 * latency for latency in ordered]
    return answer


def main() -> None:
    """Entry point: the spec is the first argument (JSON)."""
    spec = json.loads(sys.argv[1])
    sys.stdout.write(json.dumps(asyncio.run(run(spec))) + "\n")


if __name__ == "__main__":
    main()
