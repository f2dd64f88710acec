"""Declaring an API endpoint once: the handler, what it reads and answers.

An ``Endpoint`` names its method, path, summary, the pydantic models of its body,
query or multipart fields and of its answer, and whether it writes. The same
declaration routes the call (``asgi``), validates what comes in, and is what the
OpenAPI document is generated from (``web/api/openapi.py``): the document cannot
drift from the handlers.

Every call goes the same way: the token (``auth.authenticate``: 401, 429), the
caller's language, the consortium in the path (``auth.consortium_access``: 404 for
a non-member as on the pages, 403 for a read-only token on a write), the input
(422 with the fields at fault), then the handler in a worker thread. Whatever it
raises becomes a problem+json answer (``problems.problem_for``), never a page.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, TypeAdapter
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from web.api.auth import Access, Caller, authenticate, consortium_access, language
from web.api.problems import ApiProblem, problem_for
from web.auth import _parse as parse_multipart
from web.i18n import current_language

MAX_JSON_BYTES = 256 * 1024
MAX_UPLOAD_BYTES = 10 * 1024 * 1024 + MAX_JSON_BYTES
JSON = "application/json"


@dataclass
class Call:
    """One call, as a handler sees it."""

    request: Request
    caller: Caller
    access: Access | None = None
    body: Any = None
    query: Any = None
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, UploadFile] = field(default_factory=dict)
    # A JSON body's bytes, parsed once the caller's access is known.
    raw: bytes = b""

    @property
    def consortium(self) -> Access:
        """The access to the consortium in the path (declared with one)."""
        if self.access is None:
            raise RuntimeError("this endpoint has no consortium in its path")
        return self.access

    def path(self, name: str) -> str:
        """A parameter of the path."""
        return str(self.request.path_params[name])


@dataclass(frozen=True)
class Answer:
    """A handler's answer other than a plain 200: a status, headers."""

    value: Any
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Any]


@dataclass(frozen=True)
class Endpoint:
    """One operation of the API, declared once."""

    method: str
    path: str
    name: str
    summary: str
    handler: Handler
    answer: Any
    tag: str
    status: int = 200
    writes: bool = False
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    # Multipart fields besides the file (``upload`` names the file's input).
    form: type[BaseModel] | None = None
    upload: str = ""
    # A download (a file's bytes): no JSON schema for the answer.
    download: bool = False

    @property
    def in_consortium(self) -> bool:
        return "{consortium_id}" in self.path


def encoded(value: Any) -> bytes:
    """A handler's value as JSON: models and lists of them, dates, decimals."""
    if isinstance(value, BaseModel):
        return value.model_dump_json().encode()
    data = TypeAdapter(type(value)).dump_python(value, mode="json")
    return json.dumps(data, ensure_ascii=False).encode()


def respond(value: Any, status: int) -> Response:
    if isinstance(value, Response):
        value.headers.setdefault("Cache-Control", "no-store")
        return value
    headers: Mapping[str, str] = {}
    if isinstance(value, Answer):
        status, headers, value = value.status, value.headers, value.value
    return Response(
        encoded(value),
        status_code=status,
        media_type=JSON,
        headers={"Cache-Control": "no-store", **headers},
    )


async def read_body(request: Request) -> bytes:
    """The body's bytes, within limits; raises ``ApiProblem`` (413)."""
    length = request.headers.get("content-length", "")
    if length and (
        not (length.isascii() and length.isdigit()) or int(length) > MAX_JSON_BYTES
    ):
        raise ApiProblem(413, "too_large")
    body = b""
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_JSON_BYTES:
                raise ApiProblem(413, "too_large")
    except ClientDisconnect:
        raise ApiProblem(400, "bad_request") from None
    return body


def parsed_json(request: Request, body: bytes) -> Any:
    """The body as JSON; raises ``ApiProblem`` (415 not JSON, 400 malformed)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != JSON:
        raise ApiProblem(415, "json_expected")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise ApiProblem(400, "bad_request") from None


def _prepare(endpoint: Endpoint, call: Call) -> Any:
    """In a worker thread: the consortium, the query, then the handler."""
    # Who may ask first: a stranger learns nothing from the input's refusals.
    if endpoint.in_consortium:
        call.access = consortium_access(
            call.request, call.caller, writes=endpoint.writes
        )
    if endpoint.body is not None:
        raw = parsed_json(call.request, call.raw)
        call.body = endpoint.body.model_validate(raw)
    if endpoint.query is not None:
        call.query = endpoint.query.model_validate(dict(call.request.query_params))
    if endpoint.form is not None:
        call.body = endpoint.form.model_validate(call.fields)
    return endpoint.handler(call)


def asgi(endpoint: Endpoint) -> Callable[[Request], Any]:
    """The Starlette endpoint running ``endpoint``'s declaration."""

    async def run(request: Request) -> Response:
        language_token = current_language.set(language(request, None))
        form: FormData | None = None
        try:
            caller = await run_in_threadpool(authenticate, request)
            current_language.set(await run_in_threadpool(language, request, caller))
            call = Call(request, caller)
            if endpoint.body is not None:
                call.raw = await read_body(request)
            if endpoint.upload:
                form = await parse_multipart(
                    request, max_files=1, max_bytes=MAX_UPLOAD_BYTES
                )
                call.fields = {k: v for k, v in form.items() if isinstance(v, str)}
                call.files = {
                    k: v for k, v in form.items() if isinstance(v, UploadFile)
                }
            value = await run_in_threadpool(_prepare, endpoint, call)
            return respond(value, endpoint.status)
        except Exception as error:
            return problem_for(error)
        finally:
            if form is not None:
                await form.close()
            current_language.reset(language_token)

    run.__name__ = endpoint.name
    return run
