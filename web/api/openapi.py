"""The OpenAPI document, generated from the endpoints' declarations.

Paths, methods, parameters, bodies and answers come from the same ``Endpoint``
objects that route the calls (``web/api/declare.py``); the schemas from their
pydantic models and the read models' dataclasses (pydantic's JSON Schema). Nothing
here is written by hand but the document's frame.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, TypeAdapter

from web.api.declare import Endpoint
from web.api.models import Problem

REF = "#/components/schemas/{model}"
PARAMETER = re.compile(r"{([a-z_0-9]+)}")

REFUSALS = {
    "401": "No valid token (missing, unknown, revoked or expired).",
    "403": "The token or the person's role does not allow this.",
    "404": "Not found, or not a consortium of the person.",
    "422": "Refused: a rule of the consortium, or values not of the right shape.",
    "429": "Too many calls with this token; see Retry-After.",
}


class Schemas:
    """The document's ``components.schemas``, filled as schemas are asked for."""

    def __init__(self) -> None:
        self.found: dict[str, Any] = {}

    def of(self, kind: Any, mode: str) -> dict[str, Any]:
        """The schema of a type (a ``$ref`` for models), keeping their definitions."""
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            schema = kind.model_json_schema(ref_template=REF, mode=mode)  # type: ignore[arg-type]
            self.found.update(schema.pop("$defs", {}))
            self.found[kind.__name__] = schema
            return {"$ref": REF.format(model=kind.__name__)}
        schema = TypeAdapter(kind).json_schema(ref_template=REF, mode=mode)  # type: ignore[arg-type]
        self.found.update(schema.pop("$defs", {}))
        return schema


def _parameters(endpoint: Endpoint, schemas: Schemas) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = []
    for name in PARAMETER.findall(endpoint.path):
        schema: dict[str, Any] = {"type": "string"}
        if name.endswith("_id"):
            schema["format"] = "uuid"
        listed.append({"name": name, "in": "path", "required": True, "schema": schema})
    if endpoint.query is not None:
        query = endpoint.query.model_json_schema(ref_template=REF)
        required = set(query.get("required", ()))
        for name, schema in query.get("properties", {}).items():
            listed.append(
                {
                    "name": name,
                    "in": "query",
                    "required": name in required,
                    "schema": schema,
                    "description": schema.get("description", ""),
                }
            )
    return listed


def _body(endpoint: Endpoint, schemas: Schemas) -> dict[str, Any] | None:
    if endpoint.body is not None:
        return {
            "required": True,
            "content": {
                "application/json": {"schema": schemas.of(endpoint.body, "validation")}
            },
        }
    if endpoint.upload and endpoint.form is not None:
        fields = endpoint.form.model_json_schema(ref_template=REF)
        fields["properties"][endpoint.upload] = {
            "type": "string",
            "format": "binary",
            "description": "The evidence file (PDF, image, office file, CSV; 10 MB).",
        }
        return {
            "required": True,
            "content": {"multipart/form-data": {"schema": fields}},
        }
    return None


def _operation(endpoint: Endpoint, schemas: Schemas) -> dict[str, Any]:
    if endpoint.download:
        content: dict[str, Any] = {
            "*/*": {"schema": {"type": "string", "format": "binary"}}
        }
    else:
        content = {
            "application/json": {"schema": schemas.of(endpoint.answer, "serialization")}
        }
    problem = {
        "application/problem+json": {"schema": schemas.of(Problem, "serialization")}
    }
    responses: dict[str, Any] = {
        str(endpoint.status): {"description": "Done.", "content": content}
    }
    for status, text in REFUSALS.items():
        responses[status] = {"description": text, "content": problem}
    operation: dict[str, Any] = {
        "operationId": endpoint.name,
        "summary": endpoint.summary,
        "tags": [endpoint.tag],
        "parameters": _parameters(endpoint, schemas),
        "responses": responses,
        "security": [{"token": ["write" if endpoint.writes else "read"]}],
    }
    body = _body(endpoint, schemas)
    if body is not None:
        operation["requestBody"] = body
    return operation


def document(
    endpoints: Iterable[Endpoint], prefix: str, version: str
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of these endpoints, served under ``prefix``."""
    schemas = Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        paths.setdefault(prefix + endpoint.path, {})[endpoint.method.lower()] = (
            _operation(endpoint, schemas)
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Consortium Ledger API",
            "version": version,
            "description": (
                "Personal access tokens (made on the account page) act as their "
                "person, within their scope. Errors are application/problem+json."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.found.items())),
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
    }
