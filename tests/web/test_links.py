"""Pages build their links from route names (``path_for``), never from paths.

A path written out by hand in a template, a redirect or an e-mail goes stale silently
when a route moves; a name that no route has fails here, before any page is rendered.
"""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

from starlette.routing import BaseRoute, Mount, Route, Router

from notifications.emails import Delivery, MailRenderer, Recipient, ReminderItem
from web.app import create_app, route_table
from web.i18n import catalogues
from web.links import EmailLinks, paths_of, use_route_table
from web.settings import Settings

TEMPLATES = Path(__file__).parents[2] / "web" / "templates"
ROUTES = Path(__file__).parents[2] / "web" / "routes"
NOTIFICATIONS = Path(__file__).parents[2] / "notifications"
# What sends the browser on: the address is their first argument (or url=).
REDIRECTS = {"RedirectResponse", "redirect"}
# Attributes that hold an address the browser (or htmx) follows.
ADDRESS = re.compile(
    r"\b(href|src|action|formaction|hx-get|hx-post|hx-put|hx-patch|hx-delete"
    r"|hx-push-url)=(\"[^\"]*\"|'[^']*')"
)
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
# A string in a Jinja expression that starts like a path: "/consortia/" ~ id.
PATH_IN_JINJA = re.compile(r"""(\{\{|\{%)(?:(?!\}\}|%\}).)*?["'](/[^"']*)["']""", re.S)
# Addresses that are not the app's routes: its static files, other sites, the page
# itself (fragments, query strings) and inline data.
NOT_ROUTES = ("/static/", "http://", "https://", "mailto:", "data:", "#", "?")
CALL = re.compile(r"path_for\(([^()]*)\)")
NAME = re.compile(r"""["']([a-z_]+:[a-z_]+)["']""")
KEYWORD = re.compile(r"\b([a-z_0-9]+)=")


def templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def literal_paths(text: str) -> list[str]:
    """Addresses in ``text`` written (at least in part) as a literal path."""
    found = []
    for _, quoted in ADDRESS.findall(text):
        value = quoted[1:-1]
        literal = JINJA.sub("", value)
        if "/" in literal and not value.startswith(NOT_ROUTES):
            found.append(value)
    found += [
        path
        for _, path in PATH_IN_JINJA.findall(text)
        if not path.startswith("/static/")
    ]
    return found


def test_no_template_writes_an_address_of_the_app_by_hand() -> None:
    written = {
        str(path.relative_to(TEMPLATES)): literal_paths(path.read_text("utf-8"))
        for path in templates()
    }

    assert {name: paths for name, paths in written.items() if paths} == {}


def test_the_check_sees_paths_written_in_every_way() -> None:
    samples = [
        '<a href="/consortia">',
        '<form action="/consortia/{{ consortium_id }}/partners">',
        "<button hx-post='/logout'>",
        '<a href="{{ base }}/partners">',
        "<a href=\"{{ path_for('session:login_page') }}?next=/invitations/{{ t }}\">",
        '{% set base = "/consortia/" ~ consortium_id %}',
    ]
    allowed = [
        '<link href="/static/app.css">',
        '<a href="https://example.org/call">',
        "<a href=\"{{ path_for('partners:detail', consortium_id=c, partner_id=p) }}\">",
        '<a href="{{ request.url.path }}?view=month">',
        '<a href="#main">',
        '<a href="data:text/plain;charset=utf-8,{{ text|urlencode }}">',
    ]

    assert [s for s in samples if not literal_paths(s)] == []
    assert [s for s in allowed if literal_paths(s)] == []


def test_every_route_name_a_template_uses_exists_with_its_parameters() -> None:
    app = create_app(Settings(secret_key="test-secret"))
    parameters = {
        route.name: set(route.param_convertors)
        for route in app.routes
        if isinstance(route, Route)
    } | {  # a mounted app's routes are named "mount:route" (the API's)
        f"{mount.name}:{route.name}": set(route.param_convertors)
        for mount in app.routes
        if isinstance(mount, Mount) and mount.name
        for route in mount.routes
        if isinstance(route, Route)
    }
    wrong = []
    calls = 0
    for path in templates():
        for arguments in CALL.findall(path.read_text("utf-8")):
            calls += 1
            names = NAME.findall(arguments)
            given = set(KEYWORD.findall(arguments))
            wrong += [
                (path.name, name, sorted(given))
                for name in names
                if parameters.get(name) != given
            ]
            if not names:
                wrong.append((path.name, arguments, []))

    assert calls > 100
    assert wrong == []


def redirect_paths(source: str) -> list[str]:
    """Paths written by hand in the address of a redirect in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        name = function.id if isinstance(function, ast.Name) else None
        if name not in REDIRECTS:
            continue
        addresses = [
            *node.args[:2],
            *(k.value for k in node.keywords if k.arg == "url"),
        ]
        found += [
            part.value
            for address in addresses
            for part in ast.walk(address)
            if isinstance(part, ast.Constant)
            and isinstance(part.value, str)
            and part.value.startswith("/")
        ]
    return found


def test_no_route_redirects_to_an_address_written_by_hand() -> None:
    written = {
        path.name: paths
        for path in sorted(ROUTES.glob("*.py"))
        if (paths := redirect_paths(path.read_text("utf-8")))
    }

    assert written == {}


def test_the_redirect_check_sees_paths_written_in_every_way() -> None:
    samples = [
        'RedirectResponse("/login", status_code=303)',
        'RedirectResponse(f"/consortia/{consortium_id}", 303)',
        'RedirectResponse(url="/account?done=password")',
        'redirect(request, "/consortia/" + str(consortium_id))',
        'redirect(request, f"/login?next=/invitations/{token}")',
    ]
    allowed = [
        'RedirectResponse(path_for(request, "session:login_page"), status_code=303)',
        'RedirectResponse(path_for(request, "account:index") + "?done=password")',
        'redirect(request, audit + "#verification")',
        "RedirectResponse(f\"{path_for(request, 'admin:accounts')}?{query}\", 303)",
    ]

    assert [s for s in samples if not redirect_paths(s)] == []
    assert [s for s in allowed if redirect_paths(s)] == []


DUE = date(2026, 9, 30)


def create_app_routes() -> list[BaseRoute]:
    """The app's routes, as ``create_app`` serves them."""
    return list(create_app(Settings(secret_key="test-secret")).routes)


def test_e_mails_link_to_the_pages_where_the_route_table_puts_them() -> None:
    # The same routes under /ledger: every link of an e-mail must follow.
    moved = paths_of(Router(routes=[Mount("/ledger", routes=create_app_routes())]))
    use_route_table(lambda: moved)
    try:
        links = EmailLinks("https://ledger.example/")
        renderer = MailRenderer(catalogues(), "https://ledger.example", links)
        item = ReminderItem("r-1", "c-1", "o-1", "Lab", "Bilan", "Région", DUE, 0)
        person = Recipient("a-1", "a@example.org", "Ana", "en", Delivery.IMMEDIATE)
        reminder = renderer.reminder(item, person, DUE).text_body
        digest = renderer.digest([item], person, DUE).text_body

        for body in (reminder, digest):
            assert "https://ledger.example/ledger/consortia/c-1/reports/o-1" in body
            assert "https://ledger.example/ledger/notifications\n" in body
        assert links.invitation("T") == "https://ledger.example/ledger/invitations/T"
        assert links.password_reset("T") == (
            "https://ledger.example/ledger/password/reset/T"
        )
    finally:
        use_route_table(route_table)


def test_notifications_write_no_address_of_the_app() -> None:
    written = {
        str(path.relative_to(NOTIFICATIONS)): paths
        for path in sorted(NOTIFICATIONS.rglob("*.py"))
        if (
            paths := [
                node.value
                for node in ast.walk(ast.parse(path.read_text("utf-8")))
                if isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and re.match(r"/[a-z]", node.value)
            ]
        )
    }

    assert written == {}
