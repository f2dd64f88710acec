"""The financial reports (comptes rendus financiers): the list, a report's page with
the coordinator's forms (a variance explained, the certification), its PDF and
Excel exports.

Everyone in the consortium reads a report and exports it (the financer too); the
coordinator explains variances and certifies (anyone else: 403). Forms work
without JavaScript (POST, then 303); a refused form comes back on its page (422),
and nothing is stored.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.errors import NotFound
from governance.financing.report_values import FINAL
from governance.financing.values import DIRECT_CATEGORIES
from governance.permissions import Action
from projections.consortia import consortium_details
from projections.financial_report_summary import (
    FinancialReportView,
    financial_report_of,
    financial_reports_of,
)
from web.auth import actor_of, form_endpoint
from web.evidence.names import content_disposition
from web.exports.financial_report import financial_report_xlsx
from web.exports.financial_report_pdf import financial_report_pdf
from web.forms.fields import FormErrors
from web.forms.financial_report import parse_certification, parse_explanation
from web.htmx import render
from web.links import path_for
from web.presentation.financial_report import ReportDocument
from web.presentation.financial_report_words import SECTIONS
from web.request_state import clock
from web.routes.common import Access, consortium_access, queries, stores
from web.routes.posting import run_command

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMS = ("explain", "certify")


def _scope(request: Request) -> str:
    """The report's scope from the address: ``final`` or a period's report id."""
    text = request.path_params["scope"]
    if text == FINAL:
        return FINAL
    try:
        return str(UUID(text))
    except ValueError:
        raise NotFound("financial report", text) from None


def report_document(request: Request, access: Access, scope: str) -> ReportDocument:
    """The report in words, or 404 when the scope is not the consortium's."""
    cid = str(access.consortium_id)
    with queries(request) as connection:
        details = consortium_details(connection, cid)
        view = financial_report_of(connection, cid, scope)
    if view is None:
        raise NotFound("financial report", scope)
    return ReportDocument(details.name if details else "", details, view)


def index_page(request: Request) -> Response:
    access = consortium_access(request)
    with queries(request) as connection:
        listing = financial_reports_of(connection, str(access.consortium_id))
    return render(
        request,
        "financial_report/index.html",
        {
            "access": access,
            "can": access.abilities,
            "consortium_id": str(access.consortium_id),
            "reports": listing,
            "final": FINAL,
        },
    )


def _context(request: Request, access: Access, scope: str) -> dict[str, Any]:
    document = report_document(request, access, scope)
    words = document.view.explanations
    return {
        "access": access,
        "can": access.abilities,
        "consortium_id": str(access.consortium_id),
        "scope": scope,
        "document": document,
        "view": document.view,
        "sections": SECTIONS,
        "categories": [
            (c.value, r.name)
            for c, r in zip(DIRECT_CATEGORIES, document.by_category, strict=True)
        ],
        "values": {"explain": {}, "certify": {}},
        "errors": {"explain": {}, "certify": {}},
        "error_params": {"explain": {}, "certify": {}},
        "explanations": words,
        "open_form": "",
    }


def report_page(request: Request) -> Response:
    access = consortium_access(request)
    context = _context(request, access, _scope(request))
    return render(request, "financial_report/report.html", context, block="report")


def _refused(
    request: Request,
    access: Access,
    scope: str,
    form: str,
    fields: dict[str, str],
    errors: FormErrors,
) -> Response:
    context = _context(request, access, scope)
    context["values"][form] = fields
    context["errors"][form] = errors.errors
    context["error_params"][form] = errors.params
    context["open_form"] = form
    return render(
        request,
        "financial_report/report.html",
        context,
        block="report",
        status_code=422,
    )


def _then(request: Request, access: Access, scope: str) -> str:
    return path_for(
        request,
        "financial_report:detail",
        consortium_id=access.consortium_id,
        scope=scope,
    )


@form_endpoint
def explain(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.FINANCIAL_REPORT)
    scope = _scope(request)
    report_document(request, access, scope)  # 404 before reading the form

    def command() -> int:
        form = parse_explanation(fields)
        return stores(request).governance.explain_variance(
            actor_of(access.account),
            access.consortium_id,
            scope,
            form.category,
            form.text,
        )

    return run_command(
        request,
        command,
        refused=lambda e: _refused(request, access, scope, "explain", fields, e),
        inputs=("category", "explanation"),
        then=_then(request, access, scope),
    )


@form_endpoint
def certify(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.FINANCIAL_REPORT)
    scope = _scope(request)
    document = report_document(request, access, scope)

    def command() -> int:
        form = parse_certification(fields)
        return stores(request).governance.certify_financial_report(
            actor_of(access.account),
            access.consortium_id,
            scope,
            signatory=form.signatory,
            capacity=form.capacity,
            periods=[UUID(o.obligation_id) for o in document.view.periods],
        )

    return run_command(
        request,
        command,
        refused=lambda e: _refused(request, access, scope, "certify", fields, e),
        inputs=("signatory", "capacity", "certify"),
        then=_then(request, access, scope),
    )


def _stem(document: ReportDocument, view: FinancialReportView) -> str:
    acronym = document.details.acronym if document.details else ""
    part = "final" if view.final else view.scope[:8]
    return f"financial-report-{acronym or 'consortium'}-{part}"


def export_pdf(request: Request) -> Response:
    access = consortium_access(request)
    access.require(Action.EXPORT)
    document = report_document(request, access, _scope(request))
    body = financial_report_pdf(document, generated_at=clock(request).now())
    name = f"{_stem(document, document.view)}.pdf"
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": content_disposition(name)},
    )


def export_xlsx(request: Request) -> Response:
    access = consortium_access(request)
    access.require(Action.EXPORT)
    document = report_document(request, access, _scope(request))
    name = f"{_stem(document, document.view)}.xlsx"
    return Response(
        financial_report_xlsx(document),
        media_type=XLSX,
        headers={"Content-Disposition": content_disposition(name)},
    )


def certified_report_files(request: Request, access: Access) -> list[tuple[str, bytes]]:
    """The certified financial reports, PDF and Excel, as the audit pack joins them
    (``financial-reports/…``), in the reader's language."""
    with queries(request) as connection:
        listing = financial_reports_of(connection, str(access.consortium_id))
    files = []
    for item in listing:
        if not item.certified:
            continue
        document = report_document(request, access, item.scope)
        stem = "financial-reports/" + _stem(document, document.view)
        now = clock(request).now()
        files.append((f"{stem}.pdf", financial_report_pdf(document, generated_at=now)))
        files.append((f"{stem}.xlsx", financial_report_xlsx(document)))
    return files


BASE = "/consortia/{consortium_id}/financial-report"
routes = [
    Route(BASE, index_page, methods=["GET"], name="financial_report:index"),
    Route(
        BASE + "/{scope}", report_page, methods=["GET"], name="financial_report:detail"
    ),
    Route(
        BASE + "/{scope}/explanations",
        explain,
        methods=["POST"],
        name="financial_report:explain",
    ),
    Route(
        BASE + "/{scope}/certify",
        certify,
        methods=["POST"],
        name="financial_report:certify",
    ),
    Route(
        BASE + "/{scope}/report.pdf",
        export_pdf,
        methods=["GET"],
        name="financial_report:pdf",
    ),
    Route(
        BASE + "/{scope}/report.xlsx",
        export_xlsx,
        methods=["GET"],
        name="financial_report:xlsx",
    ),
]
