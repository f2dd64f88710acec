"""The JSON API under ``/api/v1/``: its endpoints, declared once, and its mount.

``ENDPOINTS`` is the one list: it routes the calls and generates the OpenAPI
document served at ``/api/v1/openapi.json`` (the only address open without a
token). Unknown addresses and wrong methods under ``/api/v1/`` answer
problem+json too: the API is its own small Starlette application.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from projections.capitalisation import CapitalisationRow
from projections.indicators import IndicatorRow
from projections.ledger import CommitmentRow
from projections.partners import PartnerRow
from projections.reporting import ObligationRow
from web.api import reads, reads_more, writes
from web.api.declare import Endpoint, Handler, asgi
from web.api.models import (
    Bodies,
    Checkpoints,
    CommitmentDetail,
    Consortium,
    Created,
    Delivered,
    DeliveryForm,
    HistoryPage,
    MeasurementBody,
    PledgeBody,
    Proposal,
    ProposalDetail,
    ReportBody,
    VoteBody,
)
from web.api.openapi import document
from web.api.problems import problem_for
from web.api.reads_more import HistoryQuery

PREFIX = reads.PREFIX
VERSION = "1.0.0"
C = "/consortia/{consortium_id}"


def get(
    path: str,
    name: str,
    summary: str,
    handler: Handler,
    answer: Any,
    tag: str,
    **more: Any,
) -> Endpoint:
    """A read endpoint."""
    return Endpoint("GET", path, name, summary, handler, answer, tag, **more)


def post(
    path: str, name: str, summary: str, handler: Handler, tag: str, **more: Any
) -> Endpoint:
    """A write endpoint: answers what it made (``Created``)."""
    return Endpoint(
        "POST", path, name, summary, handler, Created, tag, writes=True, **more
    )


ENDPOINTS: tuple[Endpoint, ...] = (
    get(
        "/consortia",
        "list_consortia",
        "The caller's consortia",
        reads.consortia,
        list[Consortium],
        "consortia",
    ),
    get(
        C,
        "get_consortium",
        "One consortium",
        reads.one_consortium,
        Consortium,
        "consortia",
    ),
    get(
        C + "/partners",
        "list_partners",
        "Its partners",
        reads.partners,
        list[PartnerRow],
        "consortia",
    ),
    get(
        C + "/commitments",
        "list_commitments",
        "Its commitments",
        reads.commitments,
        list[CommitmentRow],
        "ledger",
    ),
    get(
        C + "/commitments/{commitment_id}",
        "get_commitment",
        "A commitment and its deliveries",
        reads.one_commitment,
        CommitmentDetail,
        "ledger",
    ),
    get(
        C + "/contributions",
        "list_contributions",
        "Delivered contributions, with their evidence",
        reads.contributions,
        list[Delivered],
        "ledger",
    ),
    get(
        C + "/evidence/{sha256}",
        "get_evidence",
        "A stored file, by its SHA-256",
        reads.evidence_file,
        bytes,
        "ledger",
        download=True,
    ),
    get(
        C + "/bodies",
        "list_bodies",
        "Its decision-making bodies",
        reads.bodies,
        Bodies,
        "decisions",
    ),
    get(
        C + "/proposals",
        "list_proposals",
        "Open proposals, then decisions",
        reads.proposals,
        list[Proposal],
        "decisions",
    ),
    get(
        C + "/proposals/{proposal_id}",
        "get_proposal",
        "A proposal with its votes and outcome",
        reads.one_proposal,
        ProposalDetail,
        "decisions",
    ),
    get(
        C + "/obligations",
        "list_obligations",
        "Reporting obligations and their reports",
        reads_more.obligations,
        list[ObligationRow],
        "reporting",
    ),
    get(
        C + "/indicators",
        "list_indicators",
        "Indicators and their measurements",
        reads_more.indicators,
        list[IndicatorRow],
        "reporting",
    ),
    get(
        C + "/capitalisation",
        "list_capitalisation",
        "The capitalisation register",
        reads_more.capitalisation,
        list[CapitalisationRow],
        "capitalisation",
    ),
    get(
        C + "/history",
        "get_history",
        "The history after a log position (keyset pages)",
        reads_more.history,
        HistoryPage,
        "history",
        query=HistoryQuery,
    ),
    get(
        C + "/checkpoints",
        "list_checkpoints",
        "Signed checkpoints of the log",
        reads_more.checkpoints,
        Checkpoints,
        "history",
    ),
    post(
        C + "/commitments",
        "pledge",
        "Pledge a commitment",
        writes.pledge,
        "ledger",
        body=PledgeBody,
        status=201,
    ),
    post(
        C + "/commitments/{commitment_id}/deliveries",
        "deliver",
        "Deliver on a commitment, with its evidence file",
        writes.deliver,
        "ledger",
        form=DeliveryForm,
        upload="evidence",
        status=201,
    ),
    post(
        C + "/indicators/{indicator_id}/measurements",
        "measure",
        "Record a measured value",
        writes.measure,
        "reporting",
        body=MeasurementBody,
    ),
    post(
        C + "/obligations/{obligation_id}/draft",
        "draft_report",
        "Write a report's draft",
        writes.draft_report,
        "reporting",
        body=ReportBody,
    ),
    post(
        C + "/obligations/{obligation_id}/submission",
        "submit_report",
        "Submit a report",
        writes.submit_report,
        "reporting",
    ),
    post(
        C + "/proposals/{proposal_id}/votes",
        "cast_vote",
        "Cast (or change) a vote",
        writes.vote,
        "decisions",
        body=VoteBody,
    ),
)


@cache
def openapi_bytes() -> bytes:
    """The document, made once per process."""
    made = document(ENDPOINTS, PREFIX, VERSION)
    return json.dumps(made, ensure_ascii=False, indent=1).encode()


async def openapi(request: Request) -> Response:
    return Response(openapi_bytes(), media_type="application/json")


async def routing_error(request: Request, exc: Exception) -> Response:
    return problem_for(exc)


def api_app() -> Starlette:
    """The API as an application of its own (mounted under ``/api/v1``)."""
    return Starlette(
        routes=[
            Route("/openapi.json", openapi, methods=["GET"], name="openapi"),
            *(
                Route(e.path, asgi(e), methods=[e.method], name=e.name)
                for e in ENDPOINTS
            ),
        ],
        exception_handlers={HTTPException: routing_error},
    )


def mount() -> Mount:
    """What ``web/app.py`` adds to its routes."""
    return Mount(PREFIX, app=api_app(), name="api")
