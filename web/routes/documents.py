"""The convention's documents: the page, the uploads, the signatures, the files.

Coordinators file each document (a partner's letter, the partnership convention,
the consortium agreement, the funding agreement or award decision, an amendment's
signed copy), file new versions of it and record who signed for each partner and
when. Everyone in the consortium reads them and downloads every version.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.convention.values import DocumentKind
from governance.errors import NotFound
from governance.permissions import Action
from projections.amendments import amendments_of
from projections.documents import documents_of
from projections.partners import partners_of
from web.auth import actor_of, upload_endpoint
from web.evidence.download import file_response
from web.forms.documents import parse_document, parse_note, parse_signature
from web.forms.fields import FormErrors
from web.htmx import render
from web.links import path_for
from web.routes.common import Access, consortium_access, parse_uuid, queries, stores
from web.routes.posting import run_command, saved_upload

FORMS = ("file", "version", "sign")


def _context(request: Request, access: Access) -> dict[str, Any]:
    cid = str(access.consortium_id)
    with queries(request) as connection:
        filed = documents_of(connection, cid)
        partners = partners_of(connection, cid)
        amendments = amendments_of(connection, cid)
    return {
        "access": access,
        "can": access.abilities,
        "consortium_id": cid,
        "documents": filed,
        "names": {p.partner_id: p.name for p in partners},
        "active_partners": [p for p in partners if p.active],
        "amendments": amendments,
        "kinds": list(DocumentKind),
        "values": {name: {} for name in FORMS},
        "errors": {name: {} for name in FORMS},
        "error_params": {name: {} for name in FORMS},
        "open_form": "",
        "open_document": "",
    }


def documents_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request, "documents/index.html", _context(request, access), block="documents"
    )


def _document_id(request: Request) -> UUID:
    return parse_uuid(request.path_params["document_id"], "document")


def _post(
    request: Request,
    access: Access,
    form: str,
    fields: dict[str, str],
    command: Any,
) -> Response:
    access.require(Action.FILE_DOCUMENTS)

    def refused(errors: FormErrors) -> Response:
        context = _context(request, access)
        context["values"][form] = fields
        context["errors"][form] = errors.errors
        context["error_params"][form] = errors.params
        context["open_form"] = form
        # The document whose form was refused (none: the form filing a new one);
        # a path parameter, not a query one (``params.get`` reads as the latter).
        path = request.path_params
        context["open_document"] = path.get("document_id", "")
        return render(
            request,
            "documents/index.html",
            context,
            block="documents",
            status_code=422,
        )

    return run_command(
        request,
        command,
        refused=refused,
        inputs=(*fields, "document"),
        then=path_for(request, "documents:index", consortium_id=access.consortium_id),
    )


def _required_upload(request: Request, files: dict[str, Any]) -> Any:
    file = saved_upload(request, files, "document")
    if file is None:
        raise FormErrors({"document": "document.file_required"})
    return file


@upload_endpoint
def file_document(
    request: Request, fields: dict[str, str], files: dict[str, Any]
) -> Response:
    access = consortium_access(request)

    def command() -> Any:
        form = parse_document(fields)
        return stores(request).governance.file_document(
            actor_of(access.account),
            access.consortium_id,
            form.kind,
            form.title,
            _required_upload(request, files),
            partner_id=form.partner_id,
            amendment_id=form.amendment_id,
        )

    return _post(request, access, "file", fields, command)


@upload_endpoint
def file_version(
    request: Request, fields: dict[str, str], files: dict[str, Any]
) -> Response:
    access = consortium_access(request)

    def command() -> int:
        note = parse_note(fields)
        return stores(request).governance.file_document_version(
            actor_of(access.account),
            access.consortium_id,
            _document_id(request),
            _required_upload(request, files),
            note,
        )

    return _post(request, access, "version", fields, command)


@upload_endpoint
def sign(request: Request, fields: dict[str, str], files: dict[str, Any]) -> Response:
    access = consortium_access(request)

    def command() -> int:
        form = parse_signature(fields)
        return stores(request).governance.record_signature(
            actor_of(access.account),
            access.consortium_id,
            _document_id(request),
            form.partner_id,
            form.signed_by,
            form.signed_on,
        )

    return _post(request, access, "sign", fields, command)


def download(request: Request) -> Response:
    access = consortium_access(request)
    document_id = str(_document_id(request))
    number = request.path_params["number"]
    with queries(request) as connection:
        filed = {
            d.document_id: d
            for d in documents_of(connection, str(access.consortium_id))
        }
    document = filed.get(document_id)
    version = (
        next((v for v in document.versions if str(v.number) == number), None)
        if document
        else None
    )
    response = (
        file_response(
            stores(request).evidence,
            version.file.sha256,
            version.file.media_type,
            version.file.filename,
        )
        if version is not None
        else None
    )
    if response is None:
        raise NotFound("document", document_id)
    return response


DOCUMENTS = "/consortia/{consortium_id}/documents"
DOCUMENT = DOCUMENTS + "/{document_id}"
routes = [
    Route(DOCUMENTS, documents_page, methods=["GET"], name="documents:index"),
    Route(DOCUMENTS, file_document, methods=["POST"], name="documents:file"),
    Route(
        DOCUMENT + "/versions", file_version, methods=["POST"], name="documents:version"
    ),
    Route(DOCUMENT + "/signatures", sign, methods=["POST"], name="documents:sign"),
    Route(
        DOCUMENT + "/versions/{number}",
        download,
        methods=["GET"],
        name="documents:download",
    ),
]
