"""Done when: a client that knows only ``openapi.json`` pledges, delivers with a
file and reads the history of the demo consortium, against a real uvicorn process,
on both backends.

The client reads every path, method and field name from the document (by the
operations' ids, as a generated client would); nothing below spells an API path
but the document's own address.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from click.testing import CliRunner

from tests.support.processes import web_server
from web.cli import main
from web.identity.api_tokens import WRITE
from web.ops.storage import open_stores
from web.settings import Settings

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n% api client\n"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def environment(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "CONSORTIUM_DATA_DIR": str(tmp_path),
        "CONSORTIUM_SECRET_KEY": "k",
    }
    if request.param == "postgres":
        env["CONSORTIUM_DATABASE_URL"] = request.getfixturevalue("postgres_url")
    else:
        env.pop("CONSORTIUM_DATABASE_URL", None)
    return env


def demo_member_token(env: dict[str, str]) -> str:
    """Load the demo, and make a write token for its member (as the account page
    would)."""
    loaded = CliRunner().invoke(main, ["demo"], env=env)
    assert loaded.exit_code == 0, loaded.output
    stores = open_stores(Settings.from_env(env))
    try:
        member = stores.accounts.by_email("member@demo.example")
        assert member is not None
        secret, _ = stores.accounts.api_tokens.create(
            member.account_id,
            name="API client",
            scope=WRITE,
            consortium_id=None,
            now=datetime.now(UTC),
        )
        return secret
    finally:
        stores.close()


class OpenApiClient:
    """Calls operations by their id, as the document describes them."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.token = token
        with urlopen(base_url + "/api/v1/openapi.json", timeout=10) as answer:  # noqa: S310
            self.document: dict[str, Any] = json.load(answer)

    def operation(self, operation_id: str) -> tuple[str, str, dict[str, Any]]:
        for path, item in self.document["paths"].items():
            for method, operation in item.items():
                if operation["operationId"] == operation_id:
                    return method.upper(), path, operation
        raise AssertionError(f"{operation_id} is not in the document")

    def schema(self, reference: dict[str, Any]) -> dict[str, Any]:
        name = reference["$ref"].rsplit("/", 1)[-1]
        return dict(self.document["components"]["schemas"][name])

    def call(
        self,
        operation_id: str,
        path_values: dict[str, str],
        *,
        body: bytes | None = None,
        content_type: str = "",
        query: str = "",
    ) -> Any:
        method, path, operation = self.operation(operation_id)
        for parameter in operation["parameters"]:
            if parameter["in"] == "path":
                name = parameter["name"]
                path = path.replace("{" + name + "}", path_values[name])
        headers = {"Authorization": f"Bearer {self.token}"}
        if content_type:
            headers["Content-Type"] = content_type
        # S310: our own http://127.0.0.1 server, not user input.
        request = Request(  # noqa: S310
            self.base_url + path + query, data=body, method=method, headers=headers
        )
        try:
            with urlopen(request, timeout=20) as answer:  # noqa: S310
                return json.load(answer)
        except HTTPError as error:
            raise AssertionError(error.read().decode()) from error

    def body_fields(self, operation_id: str, media: str) -> dict[str, Any]:
        _, _, operation = self.operation(operation_id)
        schema = operation["requestBody"]["content"][media]["schema"]
        return self.schema(schema) if "$ref" in schema else dict(schema)


def multipart(
    fields: dict[str, str], file_field: str, content: bytes
) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="virement.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_a_client_of_the_openapi_document_pledges_delivers_and_reads_the_history(
    environment: dict[str, str],
) -> None:
    token = demo_member_token(environment)
    with web_server(environment) as base_url:
        client = OpenApiClient(base_url, token)

        [mine] = client.call("list_consortia", {})
        cid = mine["consortium"]["consortium_id"]
        partner_id = mine["partner_id"]
        pledge_schema = client.body_fields("pledge", "application/json")
        kinds = client.schema(pledge_schema["properties"]["kind"])["enum"]
        fundings = client.schema(pledge_schema["properties"]["funding"])["enum"]
        pledge = {
            "partner_id": partner_id,
            "kind": "financial" if "financial" in kinds else kinds[0],
            "amount": "750",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "funding": fundings[0],
        }
        assert set(pledge_schema["required"]) <= set(pledge)
        made = client.call(
            "pledge",
            {"consortium_id": cid},
            body=json.dumps(pledge).encode(),
            content_type="application/json",
        )

        form = client.body_fields("deliver", "multipart/form-data")
        file_field = next(
            name
            for name, field in form["properties"].items()
            if field.get("format") == "binary"
        )
        body, content_type = multipart(
            {"amount": "750", "description": "Virement reçu"}, file_field, PDF
        )
        delivered = client.call(
            "deliver",
            {"consortium_id": cid, "commitment_id": made["id"]},
            body=body,
            content_type=content_type,
        )

        events: list[dict[str, Any]] = []
        page = client.call("get_history", {"consortium_id": cid}, query="?after=0")
        while True:
            events.extend(page["events"])
            if page["next"] is None:
                break
            query = "?" + page["next"].split("?", 1)[1]
            page = client.call("get_history", {"consortium_id": cid}, query=query)
        positions = [e["entry"]["position"] for e in events]
        assert positions == sorted(set(positions))
        kinds_seen = [e["entry"]["kind"] for e in events]
        assert kinds_seen.count("commitment_pledged") >= 1
        assert positions[-1] >= delivered["position"]
        # Found by the positions the two calls answered with: the server's scheduler
        # runs meanwhile and may record a reminder in this history between them.
        at = {e["entry"]["position"]: e for e in events}
        pledged_entry, delivered_entry = at[made["position"]], at[delivered["position"]]
        assert pledged_entry["entry"]["kind"] == "commitment_pledged"
        assert delivered_entry["entry"]["kind"] == "contribution_delivered"
        assert "750" in pledged_entry["text"]
