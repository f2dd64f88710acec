"""``request.state`` is read and written in ``web/request_state.py`` only.

Starlette's ``request.state`` is an untyped bag: mypy sees ``Any`` in every read, so a
key misspelt, or an object of another type put there, fails only when that page runs.
``web/request_state.py`` reaches it through typed accessors; this test refuses any
other module (or template) that reaches it by itself.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
PACKAGES = ("governance", "projections", "notifications", "web")
ALLOWED = ROOT / "web" / "request_state.py"
TEMPLATES = ROOT / "web" / "templates"

# What holds a Starlette state: a request (or any connection), the ASGI scope, the
# app. Their ``.state`` is the untyped bag; a row's or an event record's is not.
HOLDERS = {"request", "req", "connection", "conn", "websocket", "ws", "app", "scope"}
# In a template: ``request.state`` in any spelling Jinja accepts.
TEMPLATE_STATE = re.compile(r"""\brequest\s*(\.\s*state\b|\[\s*["']state["']\s*\])""")


def holder(node: ast.expr) -> str | None:
    """The name ``node`` ends with (``request``, ``self.request``, ...), if any."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def is_state_key(node: ast.expr) -> bool:
    """Whether ``node`` is the literal ``"state"``."""
    return isinstance(node, ast.Constant) and node.value == "state"


def reaches_state(node: ast.AST) -> bool:
    """Whether ``node`` reads or writes the state of a request, scope or app."""
    if isinstance(node, ast.Attribute) and node.attr == "state":
        return holder(node.value) in HOLDERS
    # scope["state"]
    if isinstance(node, ast.Subscript) and holder(node.value) == "scope":
        return is_state_key(node.slice)
    if isinstance(node, ast.Call) and node.args:
        function = node.func
        # scope.get("state"), scope.setdefault("state", {}), scope.pop("state")
        if isinstance(function, ast.Attribute) and holder(function.value) == "scope":
            return is_state_key(node.args[0])
        # getattr(request, "state"), setattr(request, "state", ...)
        if (
            isinstance(function, ast.Name)
            and function.id in {"getattr", "setattr", "hasattr", "delattr"}
            and len(node.args) >= 2
        ):
            return holder(node.args[0]) in HOLDERS and is_state_key(node.args[1])
    return False


def uses(source: str) -> list[int]:
    """The lines of ``source`` that reach a request's (or the app's) state."""
    return sorted(
        {
            getattr(node, "lineno", 0)
            for node in ast.walk(ast.parse(source))
            if reaches_state(node)
        }
    )


def modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if path != ALLOWED
    )


def test_no_module_but_request_state_reaches_the_request_state() -> None:
    found = {
        str(path.relative_to(ROOT)): lines
        for path in modules()
        if (lines := uses(path.read_text("utf-8")))
    }

    assert found == {}


def test_no_template_reaches_the_request_state() -> None:
    found = [
        str(path.relative_to(TEMPLATES))
        for path in sorted(TEMPLATES.rglob("*.html"))
        if TEMPLATE_STATE.search(path.read_text("utf-8"))
    ]

    assert found == []


def test_the_typed_module_is_where_the_state_is_reached() -> None:
    # The check finds the accessors' own reads: were it blind, this would be empty.
    assert uses(ALLOWED.read_text("utf-8")) != []


def test_the_check_sees_the_state_reached_in_every_way() -> None:
    reached = [
        "request.state.session",
        "request.state.language = 'fr'",
        "self.request.state",
        "connection.state",
        "websocket.state",
        "request.app.state.stores",
        "scope['state']",
        "scope.get('state', {})",
        "request.scope.setdefault('state', {})",
        "getattr(request, 'state')",
        "setattr(request, 'state', None)",
    ]
    not_reached = [
        "record.state",
        "verifications.c.state.in_(OPEN)",
        "row.state",
        "json.loads(record.state)",
        "scope['path']",
        "scope.get('type')",
        "getattr(request, 'url')",
    ]

    assert [code for code in reached if not uses(code)] == []
    assert [code for code in not_reached if uses(code)] == []


def test_the_template_check_sees_the_state_reached_in_every_way() -> None:
    reached = [
        "{{ request.state.language }}",
        "{% if request.state.session %}",
        "{{ request['state'] }}",
        "{{ request . state }}",
    ]
    not_reached = ["{{ request.url.path }}", "{{ layout.state }}", "{{ statement }}"]

    assert [text for text in reached if not TEMPLATE_STATE.search(text)] == []
    assert [text for text in not_reached if TEMPLATE_STATE.search(text)] == []
