"""Errors of the API as ``application/problem+json`` (RFC 9457), in the caller's
language, with the same rule codes and sentences as the pages.

Every refusal has a ``code``: a rule's own (``commitment.amount_not_positive``), a
form message's id for a field, or one of the API's (``token.missing``…). A 422
lists the fields at fault in ``errors``, each with its code and its sentence.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from governance.errors import Conflict, NotFound, NotPermitted, RuleViolated
from web.forms.fields import FormErrors
from web.i18n import N_, format_day, gettext_
from web.presentation.labels import RULES, rule_message

logger = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"

TITLES = {
    400: N_("Bad request"),
    401: N_("A valid token is needed"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Changed meanwhile"),
    413: N_("Too large"),
    415: N_("Unsupported media type"),
    422: N_("Not possible"),
    429: N_("Too many requests"),
    500: N_("Something went wrong"),
}

# The API's own refusals: code → sentence.
MESSAGES = {
    "token.missing": N_("Send a personal access token: Authorization: Bearer <token>."),
    "token.invalid": N_("This token is unknown, revoked or expired."),
    "token.read_only": N_("This token may only read."),
    "token.other_consortium": N_("This token is for another consortium."),
    "rate_limited": N_("Too many requests with this token: wait before the next one."),
    "not_found": N_("There is nothing here, or you do not have access to it."),
    "not_permitted": N_("Your role in this consortium does not allow this."),
    "conflict": N_("Someone changed this meanwhile. Reload and try again."),
    "bad_request": N_("The request could not be understood."),
    "too_large": N_("What you sent is too large."),
    "json_expected": N_("Send the body as JSON (Content-Type: application/json)."),
    "invalid": N_("Some values are not right: see the errors."),
    "server_error": N_("The error has been logged. Try again in a moment."),
    "method_not_allowed": N_("This address does not accept that kind of request."),
}

# Pydantic's error types, as the form messages the pages use.
VALIDATION_MESSAGES = {
    "missing": N_("This field is required."),
    "string_too_long": N_("This text is too long."),
    "enum": N_("Choose one of the options."),
    "literal_error": N_("Choose one of the options."),
    "date_from_datetime_parsing": N_("Enter a date as YYYY-MM-DD."),
    "date_parsing": N_("Enter a date as YYYY-MM-DD."),
    "date_type": N_("Enter a date as YYYY-MM-DD."),
    "decimal_parsing": N_("Enter a number, like 1200 or 1 200,50."),
    "decimal_type": N_("Enter a number, like 1200 or 1 200,50."),
}
INVALID_VALUE = N_("This value is not of the expected type.")


class ApiProblem(Exception):
    """A refusal the API answers with ``status`` and one of ``MESSAGES``' codes."""

    def __init__(
        self, status: int, code: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.headers = headers or {}


def field_text(message: str, params: dict[str, Any] | None = None) -> str:
    """A field's message (a message id or a rule code) in the caller's language."""
    text = gettext_(RULES.get(message, message))
    if not params:
        return text
    try:
        return text % {
            k: format_day(v) if hasattr(v, "isoformat") else v
            for k, v in params.items()
        }
    except (KeyError, TypeError, ValueError):
        return text


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """One ``application/problem+json`` answer."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": gettext_(TITLES.get(status, TITLES[400])),
        "status": status,
        "code": code,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return Response(
        json.dumps(body, ensure_ascii=False),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def own(status: int, code: str, headers: dict[str, str] | None = None) -> Response:
    """A refusal of the API's own."""
    return problem(status, code, gettext_(MESSAGES[code]), headers=headers)


def form_problem(errors: FormErrors) -> Response:
    """Field errors (the pages' messages) as a 422."""
    listed = [
        {
            "field": name,
            "code": message,
            "message": field_text(message, errors.params.get(name)),
        }
        for name, message in errors.errors.items()
    ]
    first = listed[0] if len(listed) == 1 and not listed[0]["field"] else None
    if first is not None:
        return problem(422, first["code"], first["message"], errors=listed)
    return problem(422, "invalid", gettext_(MESSAGES["invalid"]), errors=listed)


def validation_problem(error: ValidationError) -> Response:
    """A body or query that is not of the declared shape, as a 422."""
    listed = []
    for item in error.errors(include_url=False, include_input=False):
        kind = str(item["type"])
        listed.append(
            {
                "field": ".".join(str(part) for part in item["loc"]),
                "code": kind,
                "message": gettext_(VALIDATION_MESSAGES.get(kind, INVALID_VALUE)),
            }
        )
    return problem(422, "invalid", gettext_(MESSAGES["invalid"]), errors=listed)


def problem_for(error: Exception) -> Response:
    """The answer to any exception a handler raised."""
    if isinstance(error, ApiProblem):
        return own(error.status, error.code, error.headers)
    if isinstance(error, RuleViolated):
        detail = rule_message(error)
        listed = [{"field": error.field or "", "code": error.code, "message": detail}]
        return problem(422, error.code, detail, errors=listed)
    if isinstance(error, FormErrors):
        return form_problem(error)
    if isinstance(error, ValidationError):
        return validation_problem(error)
    if isinstance(error, NotFound):
        return own(404, "not_found")
    if isinstance(error, NotPermitted):
        logger.warning("api.refused detail=%s", error)
        return own(403, "not_permitted")
    if isinstance(error, Conflict):
        return own(409, "conflict")
    if isinstance(error, HTTPException):
        code = {
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
        }.get(error.status_code, "bad_request")
        return own(error.status_code if code != "bad_request" else 400, code)
    logger.error("api.server_error", exc_info=error)
    return own(500, "server_error")
