"""The public address links on a page are made from (invitations, calendar feeds).

``CONSORTIUM_BASE_URL`` when set. Unset, the request's own address: the scheme as
uvicorn gives it (``https`` behind a proxy only when that proxy is trusted,
``CONSORTIUM_TRUSTED_PROXIES``, which makes it believe ``X-Forwarded-Proto``) and the
``Host`` header, which a reverse proxy passes on. ``X-Forwarded-Host`` is never read:
any client can send it.

A client can still send any ``Host``: a forged one only changes links shown to that
client, or sent in an invitation the coordinator who forged it writes anyway. So only
a logged-in person's page or command takes the request's address, and a ``Host``
that is not a plain host name (or address) and port falls back to the default. An
anonymous request (a password reset asked for someone else) never chooses where a
link points: it uses ``Settings.link_base_url``, as the worker's e-mails do.
"""

from __future__ import annotations

import re

from starlette.requests import Request

from web.request_state import app_state

# A DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port.
_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])"
    r"(?::\d{1,5})?"
)


def public_base(request: Request) -> str:
    """``https://host[:port]`` for links shown or sent from this request."""
    settings = app_state(request).settings
    if settings.base_url:
        return settings.link_base_url
    host = request.headers.get("host", "")
    scheme = request.url.scheme
    if scheme not in {"http", "https"} or not _HOST.fullmatch(host):
        return settings.link_base_url
    return f"{scheme}://{host}"
