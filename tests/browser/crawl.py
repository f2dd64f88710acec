"""A bounded crawl of the pages a signed-in person can reach, for the layout checks.

The list of pages is never written down: it is what the links of the header, the
consortium tabs and the pages' content lead to, so a page added tomorrow is
visited without editing a test. To stay bounded, links are grouped by their
*shape* (the path with its identifiers replaced, plus the names of the query's
parameters): one page of each shape is visited. Downloads, exports and the
logout are skipped; everything is a same-origin GET.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit

from playwright.sync_api import Error as PlaywrightError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from playwright.sync_api import Page


class OnPage(Protocol):
    """Called on each page reached, once it has loaded (to check it on the way)."""

    def __call__(self, page: Page, url: str) -> None: ...


# Path segments that name one thing (uuids, numbers, dates, hex digests).
IDENTIFIER = re.compile(
    r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|\d+|\d{4}-\d{2}(?:-\d{2})?|[0-9a-f]{16,}|[A-Za-z0-9_-]{22,})$"
)
# What is never a page: files, exports, leaving the session.
SKIPPED_SUFFIXES = (".csv", ".xlsx", ".pdf", ".zip", ".json", ".jsonl", ".ics", ".txt")
SKIPPED_WORDS = ("logout", "export", "download", "/static/", "/calendar/feed")
# The links worth following: the header, every nav, the page's content.
LINKS_SCRIPT = """() => Array.from(
    document.querySelectorAll('header a[href], nav a[href], main a[href]'))
  .filter(a => !a.hasAttribute('download'))
  .map(a => a.href)"""


def shape(url: str) -> str:
    """The page's kind: its path with identifiers replaced, and its query's names."""
    parts = urlsplit(url)
    segments = [
        "{id}" if IDENTIFIER.match(segment) else segment
        for segment in parts.path.split("/")
    ]
    names = sorted({name for name, _ in parse_qsl(parts.query)})
    return "/".join(segments) + ("?" + "&".join(names) if names else "")


def followable(url: str, origin: str) -> bool:
    """Whether the crawl should visit ``url``: same origin, a page, not a file."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return False
    lowered = parts.path.lower()
    if lowered.endswith(SKIPPED_SUFFIXES):
        return False
    return not any(word in lowered for word in SKIPPED_WORDS)


def canonical(url: str) -> str:
    """The URL without its fragment, its query sorted (one visit per page)."""
    parts = urlsplit(url)
    query = urlencode(sorted(parse_qsl(parts.query)))
    path = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return f"{path}?{query}" if query else path


@dataclass
class Crawl:
    """The pages found, one per shape, in the order they were first reached."""

    pages: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def crawl(
    page: Page,
    origin: str,
    starts: Sequence[str],
    *,
    limit: int = 150,
    on_page: OnPage | None = None,
) -> Crawl:
    """Visit, breadth first from ``starts``, one page of each shape reachable.

    ``page`` must be signed in already. Stops after ``limit`` pages (a test that
    reaches the limit should say so rather than silently check fewer pages).
    """
    found = Crawl()
    seen_shapes: set[str] = set()
    queue: deque[str] = deque()
    for start in starts:
        if shape(start) not in seen_shapes:
            seen_shapes.add(shape(start))
            queue.append(canonical(start))
    while queue and len(found.pages) < limit:
        url = queue.popleft()
        try:
            response = page.goto(url, wait_until="load")
        except PlaywrightError as error:
            # A link to a file the skip list did not know: not a page.
            if "Download is starting" in str(error):
                found.skipped.append(url)
                continue
            raise
        if response is None or "text/html" not in response.headers.get(
            "content-type", ""
        ):
            found.skipped.append(url)
            continue
        found.pages.append(url)
        if on_page is not None:
            on_page(page, url)
        for link in page.evaluate(LINKS_SCRIPT):
            if not followable(link, origin):
                continue
            key = shape(link)
            if key in seen_shapes:
                continue
            seen_shapes.add(key)
            queue.append(canonical(link))
    return found
