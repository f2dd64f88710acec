"""Pages and the POST round trip through HTTP, each next to its limit measured in
turn with it.

Four uvicorn processes run at once with the same settings: the application on the
measured store, the application on the 10,000-event reference store, the bare
Starlette app (a constant page, a form post that redirects) and the 304s' floor on the
measured store (``web.bench.tag_floor``). For each page, in turn: the bare page with
the same connections and window, the page with 4 connections (throughput), then the
page alone on 1 connection (latency without queueing) and the same page of the
reference store alone, in turn, a few times (the medians compared). So a limit and its
figure are measured seconds apart, under the same load from the rest of the machine,
and the bare page is measured as many times as there are pages (its spread is
reported). Then the 304s' floor, asked with its tag for the application's session,
after a bare page's window. Then each page of ``targets.SCALED`` (the ledger, the
financing plan, readiness, the call, the final financial report) of the measured
consortium (ten years: ten times a demo-sized consortium's commitments, votes and
reports) and of a demo-sized one, in turn. Then the POST: the form post and the page
it redirects to, the htmx post and its fragment, and the bare post and its
redirect's page, in turn, a few times each.
"""

from __future__ import annotations

import secrets
import statistics
from dataclasses import dataclass, field
from typing import Any

import click

from web.bench import http, targets
from web.bench.builder import Flagship
from web.bench.results import Echo, PageTimes

APP = "web.bench.server:real_app"
BARE = "web.bench.server:bare_app"
TAG_FLOOR = "web.bench.tag_floor:floor_app"


@dataclass(frozen=True)
class PageEffort:
    """Each measurement is bounded by a count and by a time window."""

    requests: int
    seconds: float
    concurrency: int
    alone_seconds: float
    """The 1-connection windows (latency)."""
    alone_rounds: int
    """How many times each page is measured alone on each store, in turn."""
    post_seconds: float
    post_rounds: int
    """How many times the three POST round trips are measured in turn."""


@dataclass
class Spread:
    """Repeated measurements of one limit: the median is compared, the range shown."""

    values: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else 0.0

    def describe(self, unit: str) -> str:
        if not self.values:
            return "not measured"
        digits = 0 if unit == "/s" else 2
        low, high = min(self.values), max(self.values)
        return (
            f"median of {len(self.values)} window{'s' if len(self.values) > 1 else ''} "
            "interleaved with the figures', "
            f"{low:,.{digits}f}–{high:,.{digits}f}{unit}"
        )


@dataclass
class Pages:
    """What the HTTP measurements found."""

    pages: list[PageTimes] = field(default_factory=list)
    bare_rate: Spread = field(default_factory=Spread)
    scaled: list[Scaled] = field(default_factory=list)
    post: Spread = field(default_factory=Spread)
    htmx: Spread = field(default_factory=Spread)
    bare_post: Spread = field(default_factory=Spread)
    # 304 answers/s of the pages that answer conditional GETs (their tag sent back
    # in ``If-None-Match``), each with the bare page measured just before it.
    not_modified: list[NotModified] = field(default_factory=list)
    # The 304s' floor (``web.bench.tag_floor``): a bare endpoint doing only a 304's
    # one read, with the bare page measured just before it.
    tag_floor: NotModified | None = None


@dataclass(frozen=True)
class Scaled:
    """A page of the ten-year consortium and of a demo-sized one, p95 alone."""

    name: str
    tenfold: Spread = field(default_factory=Spread)
    demo: Spread = field(default_factory=Spread)


@dataclass(frozen=True)
class NotModified:
    """A page asked again with its tag: 304 answers/s, next to the bare page's."""

    name: str
    rate: float
    p95_ms: float
    bare_rate: float


def _rate(result: dict[str, Any]) -> float:
    return float(result["statuses"].get("200", 0) / result["seconds"])


def _checked(result: dict[str, Any], status: str, what: str) -> dict[str, Any]:
    if set(result["statuses"]) != {status} or not result["requests"]:
        raise click.ClickException(f"{what} answered {result['statuses']}")
    return result


def measure(
    env: dict[str, str],
    reference_env: dict[str, str],
    flagship: Flagship,
    reference: Flagship,
    effort: PageEffort,
    echo: Echo,
) -> Pages:
    """Every page, the ledger at two consortium sizes, and the POST round trips."""
    found = Pages()
    served = [(APP, env), (APP, reference_env), (BARE, {}), (TAG_FLOOR, env)]
    with http.served_many(served) as servers:
        (app, _), (ref, _), (bare, _), (floor, _) = servers
        overview = targets.fill(targets.PAGES[0].path, flagship)
        session = http.log_in(
            app, flagship.coordinator_email, flagship.coordinator_password, overview
        )
        ref_session = http.log_in(
            ref,
            reference.coordinator_email,
            reference.coordinator_password,
            targets.fill(targets.PAGES[0].path, reference),
        )
        for page in targets.PAGES:
            found.pages.append(
                _page(
                    page,
                    app,
                    ref,
                    bare,
                    session,
                    ref_session,
                    flagship,
                    reference,
                    effort,
                    found,
                    echo,
                )
            )
        found.tag_floor = _tag_floor(floor, bare, overview, session, effort, echo)
        _scaled(app, flagship, session, effort, found, echo)
        _posts(app, bare, flagship, session, effort, found, echo)
    return found


def _page(
    page: targets.Page,
    app: int,
    ref: int,
    bare: int,
    session: http.Session,
    ref_session: http.Session,
    flagship: Flagship,
    reference: Flagship,
    effort: PageEffort,
    found: Pages,
    echo: Echo,
) -> PageTimes:
    path = targets.fill(page.path, flagship)
    ref_path = targets.fill(page.path, reference)
    for port, where, who in ((app, path, session), (ref, ref_path, ref_session)):
        status, _text = http.get(port, where, who)
        if status != 200:
            raise click.ClickException(f"{page.name} ({where}) answered {status}")
    bounds: dict[str, Any] = {"count": effort.requests, "seconds": effort.seconds}
    bare_result = http.load(bare, ["/page"], concurrency=effort.concurrency, **bounds)
    found.bare_rate.values.append(_rate(_checked(bare_result, "200", "the bare page")))
    loaded = _checked(
        http.load(
            app, [path], concurrency=effort.concurrency, session=session, **bounds
        ),
        "200",
        page.name,
    )
    alone_bounds: dict[str, Any] = {
        "count": effort.requests,
        "seconds": effort.alone_seconds,
    }
    alone: list[dict[str, Any]] = []
    at_reference: list[dict[str, Any]] = []
    # The two stores in turn, a few times: what the rest of the machine does
    # meanwhile falls on both sides of the ratio.
    for _round in range(effort.alone_rounds):
        alone.append(
            _checked(
                http.load(app, [path], concurrency=1, session=session, **alone_bounds),
                "200",
                page.name,
            )
        )
        at_reference.append(
            _checked(
                http.load(
                    ref, [ref_path], concurrency=1, session=ref_session, **alone_bounds
                ),
                "200",
                f"{page.name} (reference store)",
            )
        )
    revalidated = _revalidated(page.name, app, bare, path, session, effort, echo)
    if revalidated is not None:
        found.not_modified.append(revalidated)
    times = PageTimes(
        page.name,
        effort.concurrency,
        _rate(loaded),
        loaded["p50_ms"],
        loaded["p95_ms"],
        statistics.median(r["p50_ms"] for r in alone),
        statistics.median(r["p95_ms"] for r in alone),
        statistics.median(r["p95_ms"] for r in at_reference),
    )
    echo(
        f"  {page.name}: {times.rate:,.0f}/s (bare page "
        f"{found.bare_rate.values[-1]:,.0f}/s), p95 {times.p95_ms:.1f} ms with "
        f"{effort.concurrency} connections, "
        f"{times.alone_p95_ms:.1f} ms alone ({times.reference_p95_ms:.1f} ms on the "
        "reference store)"
    )
    return times


def _revalidated(
    name: str,
    port: int,
    bare: int,
    path: str,
    session: http.Session,
    effort: PageEffort,
    echo: Echo,
) -> NotModified | None:
    """If the answer at ``port`` carries a tag, the same GETs sending it back (the
    browser's revalidation), after a bare page's window: every answer must be a
    304. None if it carries no tag."""
    tag = http.etag(port, path, session)
    if tag is None:
        return None
    bounds: dict[str, Any] = {
        "count": effort.requests,
        "seconds": effort.seconds,
        "concurrency": effort.concurrency,
    }
    bare_result = _checked(http.load(bare, ["/page"], **bounds), "200", "bare page")
    result = _checked(
        http.load(
            port, [path], session=session, headers={"If-None-Match": tag}, **bounds
        ),
        "304",
        f"{name} with its tag",
    )
    measured = NotModified(
        name,
        result["statuses"]["304"] / result["seconds"],
        result["p95_ms"],
        _rate(bare_result),
    )
    echo(
        f"  {name} with its tag: {measured.rate:,.0f} 304s/s (bare page "
        f"{measured.bare_rate:,.0f}/s), p95 {measured.p95_ms:.1f} ms"
    )
    return measured


def _tag_floor(
    floor: int,
    bare: int,
    path: str,
    session: http.Session,
    effort: PageEffort,
    echo: Echo,
) -> NotModified:
    """The 304s' floor asked again with its tag, for the application's session, as
    the pages' 304s are."""
    measured = _revalidated("the 304s' floor", floor, bare, path, session, effort, echo)
    if measured is None:
        raise click.ClickException("the 304s' floor gave no tag")
    return measured


def _scaled(
    app: int,
    flagship: Flagship,
    session: http.Session,
    effort: PageEffort,
    found: Pages,
    echo: Echo,
) -> None:
    """Each of ``targets.SCALED`` on the ten-year consortium and on a demo-sized
    one, in turn."""
    cid, email, _partner = flagship.others[0]
    demo_session = http.log_in(
        app, email, flagship.coordinator_password, f"/consortia/{cid}"
    )
    for page in targets.SCALED:
        measured = Scaled(page.name)
        found.scaled.append(measured)
        for _round in range(max(2, effort.alone_rounds)):
            for spread, path, who in (
                (measured.tenfold, targets.fill(page.path, flagship), session),
                (measured.demo, page.path.format(cid=cid), demo_session),
            ):
                result = _checked(
                    http.load(
                        app,
                        [path],
                        count=effort.requests,
                        seconds=effort.alone_seconds,
                        concurrency=1,
                        session=who,
                    ),
                    "200",
                    path,
                )
                spread.values.append(result["p95_ms"])
        echo(
            f"  {page.name} p95 alone: {measured.tenfold.median:.1f} ms (ten years), "
            f"{measured.demo.median:.1f} ms (demo-sized)"
        )


def _posts(
    app: int,
    bare: int,
    flagship: Flagship,
    session: http.Session,
    effort: PageEffort,
    found: Pages,
    echo: Echo,
) -> None:
    """The form post and the page it redirects to; htmx's post and its fragment;
    the bare post and its redirect's page; in turn."""
    path = targets.fill(targets.POST_PATH, flagship)

    def body() -> list[str]:
        # A new axis for every post of every window: each post changes it.
        return [targets.post_body_template(session.csrf_token, secrets.token_hex(4))]

    bounds: dict[str, Any] = {
        "count": 100_000,  # bounded by the window, like the pages
        "seconds": effort.post_seconds,
        "concurrency": 1,
        "method": "POST",
        "follow": True,
    }
    for _round in range(effort.post_rounds):
        bare_result = http.load(
            bare, ["/post"], bodies=["next=%2Fpage&axis=x"], **bounds
        )
        found.bare_post.values.append(
            _checked(bare_result, "200", "the bare POST + GET")["p95_ms"]
        )
        posted = http.load(app, [path], session=session, bodies=body(), **bounds)
        found.post.values.append(
            _checked(posted, "200", f"POST {path} + its redirect")["p95_ms"]
        )
        htmx = http.load(
            app,
            [path],
            session=session,
            bodies=body(),
            headers={"HX-Request": "true"},
            **bounds,
        )
        found.htmx.values.append(_checked(htmx, "200", f"htmx POST {path}")["p95_ms"])
    echo(
        f"  POST + redirect p95 {found.post.median:.1f} ms, htmx POST "
        f"{found.htmx.median:.1f} ms, bare POST + GET {found.bare_post.median:.2f} ms"
    )
