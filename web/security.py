"""Browser-facing protections applied to every response and every unsafe request.

- Security headers on every response (pages, fragments, errors, files): a CSP that
  allows scripts from our own origin only, no framing, no sniffing, no referrer
  leaks, HSTS over https.
- Cross-site refusal: an unsafe request whose ``Sec-Fetch-Site`` says cross-site, or
  whose ``Origin`` is not ours, is refused before it reaches a route. The CSRF token
  itself (bound to the session) is checked where the form is read: ``web/auth.py``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class SecurityMiddleware:
    """Adds the security headers and refuses cross-site unsafe requests."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if is_https:
                    headers["Strict-Transport-Security"] = "max-age=63072000"
            await send(message)

        if holds_nul(scope):
            # No address needs one, and PostgreSQL refuses it in any text value.
            response = PlainTextResponse(
                "Bad request: the address holds a NUL character.", status_code=400
            )
            await response(scope, receive, send_with_headers)
            return
        if scope["method"] not in SAFE_METHODS and is_cross_site(scope):
            logger.warning("csrf.cross_site_refused path=%s", scope.get("path"))
            response = PlainTextResponse("Cross-site request refused.", status_code=403)
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


def holds_nul(scope: Scope) -> bool:
    """Whether the path or the query string carries a NUL character."""
    query = bytes(scope.get("query_string", b"")).lower()
    return "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query


def is_cross_site(scope: Scope) -> bool:
    """Whether the browser says this request comes from another site."""
    headers = Headers(scope=scope)
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site not in {"same-origin", "none"}
    origin = headers.get("origin")
    if origin is None or origin == "null":
        # No Origin: not a browser-initiated cross-site form post (browsers send it).
        return origin == "null"
    host = headers.get("host", "")
    return origin.split("://", 1)[-1] != host
