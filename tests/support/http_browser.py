"""A tiny browser over plain HTTP for tests against a real server process.

Keeps cookies, never follows redirects (a 303 is the acknowledgement of a command),
and returns status, headers, body and how long each request took.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from typing import Any


@dataclass(frozen=True)
class Answer:
    """One response."""

    status: int
    headers: dict[str, str]
    body: str
    seconds: float


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def csrf_in(html: str) -> str:
    """The CSRF token a page carries in its meta tag."""
    match = re.search(r'<meta name="csrf-token" content="([^"]*)"', html)
    assert match is not None, "page without CSRF meta tag"
    return match.group(1)


class Browser:
    """Cookies and form posts against ``base`` (``http://127.0.0.1:port``)."""

    def __init__(self, base: str, *, timeout: float = 30.0) -> None:
        self.base = base
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
        )

    def request(
        self,
        path: str,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """GET, or POST ``fields`` as a urlencoded form."""
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        request = urllib.request.Request(  # noqa: S310 - our own http://127.0.0.1
            self.base + path, data=data, headers=headers or {}
        )
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                status, head, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, head, body = error.code, error.headers, error.read()
        return Answer(
            int(status),
            {k.lower(): v for k, v in head.items()},
            body.decode(errors="replace"),
            time.monotonic() - started,
        )

    def login(self, email: str, password: str) -> str:
        """Log in through the form; returns the session's CSRF token."""
        token = csrf_in(self.request("/login").body)
        answer = self.request(
            "/login", {"email": email, "password": password, "csrf_token": token}
        )
        assert answer.status == 303, answer.body
        return csrf_in(self.request("/consortia").body)
