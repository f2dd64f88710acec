"""``consortium serve`` and the benchmark run uvicorn with its default ``http="auto"``:
the C parser (httptools, a dependency) when it is installed, h11 otherwise."""

from __future__ import annotations

from uvicorn.protocols.http.auto import AutoHTTPProtocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def test_uvicorn_parses_requests_with_httptools() -> None:
    # h11, the pure-Python fallback, served a bare page at 60 % of httptools' speed.
    assert AutoHTTPProtocol is HttpToolsProtocol
