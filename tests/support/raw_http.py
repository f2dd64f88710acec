"""Plain HTTP against a server process: one request per connection, and many sent
at the same moment (threads released by a barrier, each on its own connection)."""

from __future__ import annotations

import http.client
import re
import threading
import urllib.parse
from collections import Counter


def request(
    base: str,
    method: str,
    path: str,
    body: str = "",
    cookie: str = "",
    extra: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], str]:
    """One request on a fresh connection: status, headers (lower-case), body."""
    host = urllib.parse.urlsplit(base).netloc
    connection = http.client.HTTPConnection(host, timeout=60)
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded", **(extra or {})}
        if cookie:
            headers["Cookie"] = cookie
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        return (
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            text,
        )
    finally:
        connection.close()


def form_page(
    base: str, path: str, cookie: str = "", extra: dict[str, str] | None = None
) -> tuple[str, str]:
    """The session cookie (``name=value``) and CSRF token a form page gives."""
    _status, headers, body = request(base, "GET", path, cookie=cookie, extra=extra)
    token = re.search(r'<meta name="csrf-token" content="([^"]*)"', body)
    assert token is not None, body
    given = headers.get("set-cookie", "")
    return (given.split(";", 1)[0] if given else cookie), token.group(1)


def at_once(
    base: str, path: str, bodies: list[dict[str, str]], cookie: str
) -> Counter[int]:
    """POST every body at the same moment, each on its own connection; the statuses."""
    host = urllib.parse.urlsplit(base).netloc
    barrier = threading.Barrier(len(bodies))
    statuses: list[int] = []
    lock = threading.Lock()

    def send(fields: dict[str, str]) -> None:
        connection = http.client.HTTPConnection(host, timeout=120)
        try:
            connection.connect()  # connected before the barrier: only the send waits
            barrier.wait(timeout=60)
            connection.request(
                "POST",
                path,
                body=urllib.parse.urlencode(fields),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": cookie,
                },
            )
            status = connection.getresponse().status
        finally:
            connection.close()
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=send, args=(fields,)) for fields in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert len(statuses) == len(bodies), "a request got no answer"
    print(f"\n{len(bodies)} at once on {path}: {dict(Counter(statuses))}")  # noqa: T201
    return Counter(statuses)
