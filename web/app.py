"""The Starlette application: routes, middleware, error handlers and lifespan."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from anyio.to_thread import current_default_thread_limiter
from jinja2_fragments.starlette import Jinja2Blocks
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Router
from starlette.staticfiles import StaticFiles

from governance.clock import Clock
from governance.voting import Outcome
from notifications.scheduler import start_scheduler, stop_scheduler
from web import errors
from web.api import mount as api_mount
from web.auth import RequestContextMiddleware, template_context
from web.faults import DatabaseFaultMiddleware
from web.i18n import (
    format_day,
    format_moment,
    format_money,
    format_month,
    format_quantity,
    format_rate,
    format_share,
    format_tenths,
    gettext_,
    ngettext_,
    pgettext_,
)
from web.links import PathFor, paths_of, template_path_for, use_route_table
from web.logs import RequestIdMiddleware
from web.ops.applier import BackgroundApplier
from web.ops.jobs import make_jobs
from web.ops.storage import open_stores
from web.own_writes import OwnWritesMiddleware
from web.presentation.budget_words import check_message
from web.presentation.call_words import call_check
from web.presentation.history import actor_name, author, describe, option_words
from web.presentation.labels import RULES, in_unit, label, warning_message
from web.presentation.template_gettext import install_translations
from web.request_state import AppState, lifespan_state
from web.routes import (
    account,
    admin,
    amendments,
    audit,
    bodies,
    budget,
    capitalisation,
    consortia,
    deliverables,
    documents,
    expenses,
    financial_report,
    funding,
    history,
    indicators,
    layout,
    ledger,
    measurements,
    meeting_votes,
    members,
    notifications,
    partners,
    portfolio,
    proposals,
    readiness,
    reporting,
    session,
    source,
    webhooks,
    workplan,
)
from web.routes import api_tokens as api_token_pages
from web.routes import call as call_page
from web.routes.conditional import conditional_routes
from web.routes.index import IndexedRouter
from web.security import SecurityMiddleware
from web.settings import Settings
from web.stores import Stores
from web.usecases.keys import new_request_key

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
HTMX = "htmx-2.0.11.min.js"
RELOAD_TEMPLATES = "CONSORTIUM_RELOAD_TEMPLATES"
"""Set to 1 by ``serve --reload``: templates are read again when they change."""


def error_text(message: str, params: dict[str, Any] | None = None) -> str:
    """A form error (message id or rule code) in the reader's language."""
    text = gettext_(RULES.get(message, message))
    if params:
        try:
            return text % {
                k: format_day(v)
                if hasattr(v, "isoformat")
                else format_money(v)
                if k == "due"  # an amount of the grant (funding_words)
                else v
                for k, v in params.items()
            }
        except (KeyError, TypeError, ValueError):
            return text
    return text


def iso_day(value: str | None, style: str = "long") -> str:
    """A date stored as ISO text, in words."""
    return format_day(date.fromisoformat(value), style) if value else ""


def outcome_label(value: str) -> str:
    """An outcome stored as text, in words."""
    return label(Outcome(value))


def options(members: list[Any]) -> list[tuple[str, str]]:
    """``(value, label)`` pairs of enum members, for a select."""
    return [(m.value, label(m)) for m in members]


def make_templates() -> Jinja2Blocks:
    """Jinja2 with autoescaping, gettext and our filters."""
    # Our own environment, so autoescaping must be switched on explicitly.
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        # Checking every template file's time on each render costs a stat per
        # template and page: only ``serve --reload`` (development) asks for it.
        auto_reload=os.environ.get(RELOAD_TEMPLATES) == "1",
    )
    templates = Jinja2Blocks(env=env, context_processors=[template_context])
    install_translations(env, gettext_, ngettext_, pgettext_)
    env.filters.update(
        day=format_day,
        month_name=format_month,
        tenths=format_tenths,
        moment=format_moment,
        label=label,
        error_text=error_text,
        money=format_money,
        quantity=format_quantity,
        share=format_share,
        iso_day=iso_day,
        outcome_label=outcome_label,
        in_unit=in_unit,
        rate=format_rate,
    )
    env.globals.update(
        htmx_script=HTMX,
        path_for=template_path_for,
        options=options,
        history_author=author,
        history_sentence=describe,
        warning_text=warning_message,
        budget_check=check_message,
        option_label=option_words,
        outcome_label=outcome_label,
        history_author_of=actor_name,
        new_request_key=new_request_key,
        call_check=call_check,
    )
    return templates


def all_routes() -> list[BaseRoute]:
    """Every route of the app, each with the name links are built from."""
    return [
        # First: Starlette tries routes in order, so a static file (two with every
        # page a browser loads) or an API call, after the 200 pages' routes, paid
        # their tries (117 µs). No page's path starts with their prefixes.
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
        api_mount(),
        *session.routes,
        *account.routes,
        *consortia.routes,
        *partners.routes,
        *members.routes,
        *history.routes,
        *ledger.routes,
        *bodies.routes,
        *proposals.routes,
        *reporting.routes,
        *indicators.routes,
        *capitalisation.routes,
        *budget.routes,
        *workplan.routes,
        *deliverables.routes,
        *amendments.routes,
        *documents.routes,
        *expenses.routes,
        *readiness.routes,
        *notifications.routes,
        *portfolio.routes,
        *audit.routes,
        *admin.routes,
        *source.routes,
        *financial_report.routes,
        *funding.routes,
        *meeting_votes.routes,
        *measurements.routes,
        *call_page.routes,
        *webhooks.routes,
        *api_token_pages.routes,
    ]


def route_table() -> PathFor:
    """``path_for`` over every route of the app, outside any request: what e-mails
    and use cases build their absolute links from (``web.links.use_route_table``)."""
    return paths_of(Router(routes=all_routes()))


def create_app(
    settings: Settings, *, stores: Stores | None = None, clock: Clock | None = None
) -> Starlette:
    """Build the web application; opens the stores in the lifespan unless given.

    ``clock`` (the system's by default) is the process's one clock, given to the
    stores it opens; given stores bring their own.
    """
    if stores is not None and clock is not None and clock is not stores.clock:
        raise ValueError("the given stores have a clock of their own")
    settings = settings.with_secret()
    use_route_table(route_table)
    templates = make_templates()
    templates.env.globals["source_url"] = settings.source_url

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        # Every synchronous endpoint (and the middleware's lookups) runs in anyio's
        # worker threads: at most this many at once in this process, not anyio's 40.
        current_default_thread_limiter().total_tokens = settings.web_threads
        own = stores is None
        opened = (
            await run_in_threadpool(open_stores, settings, clock=clock)
            if stores is None
            else stores
        )
        if not settings.uses_postgres:
            # One process does everything on SQLite; on PostgreSQL the worker follows
            # the log and web processes only catch up after their own commands.
            await run_in_threadpool(opened.read_side.catch_up)
        applier = None
        if settings.apply_in_background and not settings.uses_postgres:
            # Commands do not wait for the read models (``web.own_writes``): this
            # thread applies their events, on PostgreSQL the worker.
            applier = BackgroundApplier(opened.read_side)
            applier.start()
        scheduler = jobs = None
        if settings.scheduler and not settings.uses_postgres:
            jobs = make_jobs(opened, settings)
            scheduler = start_scheduler(jobs, seconds=settings.tick_seconds)
        try:
            yield lifespan_state(
                AppState(opened, templates, settings, layout.page_layout)
            )
        finally:
            if scheduler is not None:
                await run_in_threadpool(stop_scheduler, scheduler, jobs)
            if applier is not None:
                await run_in_threadpool(applier.stop)
            if own:
                opened.close()

    app = Starlette(
        # Some pages answer conditional GETs (ETag, 304): ``web.routes.conditional``.
        routes=conditional_routes(all_routes()),
        middleware=[
            # Outermost: the id is on the lines every other layer logs.
            Middleware(RequestIdMiddleware),
            Middleware(SecurityMiddleware),
            # Waits for the browser's last command before anything reads the read
            # models; outside the fault middleware, which may answer "saved".
            Middleware(OwnWritesMiddleware),
            # Outside the session middleware: a session that cannot be loaded
            # because the database is down gets the same 503 page.
            Middleware(DatabaseFaultMiddleware),
            Middleware(RequestContextMiddleware),
        ],
        exception_handlers=errors.HANDLERS,
        lifespan=lifespan,
    )
    # Starlette's router, trying only the routes a path could match.
    app.router = IndexedRouter(app.router.routes, lifespan=lifespan)
    return app
