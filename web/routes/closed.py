"""Whether the consortium in the path is closed: its pages then draw, in place of
the forms it no longer takes (commitments, proposals, decisions), what it still
allows. The service refuses those commands anyway; this only decides what to show."""

from __future__ import annotations

from starlette.requests import Request

from governance.values import Phase
from projections.consortia import consortium_details
from web.routes.common import Access, queries


def is_closed(request: Request, access: Access) -> bool:
    """Whether the consortium has moved to its last phase, closed."""
    with queries(request) as connection:
        details = consortium_details(connection, str(access.consortium_id))
    return details is not None and details.phase is Phase.CLOSED
