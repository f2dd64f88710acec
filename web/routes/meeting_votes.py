"""Closing a vote (confirmed first) and a meeting's votes recorded by its chair.

Both forms live in the proposal page's vote panel: with htmx a refusal comes back in
place (422, the panel with the reason next to its input), without JavaScript as the
page; once done, the redirect carries the success notice.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.permissions import Action
from web.auth import actor_of, form_endpoint
from web.forms.daily import parse_close_confirmation, parse_meeting_ballots
from web.forms.fields import FormErrors
from web.htmx import render
from web.routes.common import Access, consortium_access, stores
from web.routes.posting import run_command
from web.routes.proposals import _proposal_context, _proposal_path, _uuid


def _panel(
    request: Request, access: Access, fields: dict[str, str], errors: FormErrors
) -> Response:
    return render(
        request,
        "proposals/detail.html",
        {
            **_proposal_context(request, access),
            "values": fields,
            "errors": errors.errors,
            "error_params": errors.params,
        },
        block="vote_panel",
        status_code=422,
    )


@form_endpoint
def close(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.CLOSE_VOTE)
    proposal_id = request.path_params["proposal_id"][:36]

    def command() -> int:
        parse_close_confirmation(fields)
        return stores(request).governance.close_proposal(
            actor_of(access.account), _uuid(proposal_id)
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _panel(request, access, fields, errors),
        inputs=fields,
        slot="close",
        then=_proposal_path(request, access, proposal_id),
    )


@form_endpoint
def record_ballots(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.CLOSE_VOTE)
    proposal_id = request.path_params["proposal_id"][:36]

    def command() -> int | None:
        context = _proposal_context(request, access)
        p = context["p"]
        ballots = parse_meeting_ballots(fields, p.members, p.options)
        return stores(request).governance.record_meeting_votes(
            actor_of(access.account), _uuid(proposal_id), ballots
        )

    return run_command(
        request,
        command,
        refused=lambda errors: _panel(request, access, fields, errors),
        inputs=fields,
        slot="ballots",
        then=_proposal_path(request, access, proposal_id),
    )


PROPOSAL = "/consortia/{consortium_id}/proposals/{proposal_id}"
routes = [
    Route(PROPOSAL + "/close", close, methods=["POST"], name="proposals:close"),
    Route(
        PROPOSAL + "/ballots",
        record_ballots,
        methods=["POST"],
        name="proposals:ballots",
    ),
]
