"""A financer's portfolio: the consortia they fund, each at a glance.

Phase, reporting (overdue, waiting for review, next deadline), contributions
delivered against pledged, and the open warnings of the ledger, with links to the
pages that say more. The figures come from one read-model query
(``projections/portfolio.py``).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from projections import portfolio as portfolios
from web.auth import require_account
from web.htmx import render
from web.presentation.funding_words import next_tranche_words
from web.request_state import clock
from web.routes.common import query


def portfolio(request: Request) -> Response:
    account = require_account(request)
    today = clock(request).now().date()
    rows = query(request, portfolios.portfolio_of, account.account_id, today)
    next_tranche = {
        f.consortium.consortium_id: next_tranche_words(f.money)
        for f in rows
        if f.money is not None
    }
    return render(
        request,
        "portfolio/index.html",
        {"rows": rows, "today": today, "next_tranche": next_tranche},
    )


routes = [Route("/portfolio", portfolio, methods=["GET"], name="portfolio:index")]
