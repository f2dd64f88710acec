"""People in a consortium: roles, invitations, and accepting an invitation."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from governance.errors import NotFound, RuleViolated
from governance.permissions import Action
from governance.values import MemberRole
from projections.consortia import ConsortiumDetails, consortium_details
from projections.members import invitation_by_id, invitations_of, members_of
from projections.partners import PartnerFilter, partners_of
from web.auth import (
    actor_of,
    attach_session,
    current_account,
    current_session,
    ensure_session,
    form_endpoint,
)
from web.forms.fields import FormErrors, rule_errors
from web.forms.members import parse_invitation, parse_new_account
from web.htmx import render
from web.i18n import current_language
from web.identity.accounts import Account, EmailTaken, normalise_email
from web.identity.invitations import InvitationToken
from web.identity.passwords import password_problem
from web.links import path_for
from web.request_state import clock
from web.routes.common import (
    Access,
    committed,
    consortium_access,
    parse_uuid,
    queries,
    stores,
    wait_for,
)
from web.routes.posting import run_command
from web.routes.public_address import public_base
from web.usecases.keys import request_key

logger = logging.getLogger(__name__)


def _members_context(request: Request, access: Access) -> dict[str, object]:
    cid = str(access.consortium_id)
    with queries(request) as connection:
        members = members_of(connection, cid)
        invitations = invitations_of(connection, cid)
        partners = partners_of(connection, cid, PartnerFilter(include_withdrawn=False))
        all_partners = {p.partner_id: p.name for p in partners_of(connection, cid)}
    accounts = stores(request).accounts
    accepted_by = {i.account_id for i in invitations if i.account_id}
    ids = {m.account_id for m in members} | {i.issued_by for i in invitations}
    names = accounts.names(ids | accepted_by)
    show_emails = access.can(Action.MANAGE_PEOPLE)
    return {
        "access": access,
        "can": access.abilities,
        "members": members,
        "invitations": invitations,
        "partners": partners,
        "partner_names": all_partners,
        "names": names,
        "roles": list(MemberRole),
        "consortium_id": access.consortium_id,
        "emails": accounts.emails({m.account_id for m in members} | accepted_by)
        if show_emails
        else {},
        "invited_emails": accounts.invitation_emails(
            {i.invitation_id for i in invitations}
        )
        if show_emails
        else {},
        "now": clock(request).now(),
        # The values a refusal's message needs, by input (set by a refused form).
        "error_params": {},
    }


def members_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request,
        "members/index.html",
        {**_members_context(request, access), "values": {}, "errors": {}},
        block="invite_panel",
    )


@form_endpoint
def invite(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.MANAGE_PEOPLE)
    try:
        form = parse_invitation(fields)
        # The command, the token and the e-mail; once per request key.
        sent = stores(request).usecases.invitations.invite(
            actor_of(access.account),
            access.account.display_name,
            access.consortium_id,
            email=form.email,
            role=form.role,
            partner_id=form.partner_id,
            language=current_language.get(),
            key=request_key(fields),
            base_url=public_base(request),
        )
    except FormErrors as errors:
        return _invite_form(request, access, fields, errors)
    except RuleViolated as error:
        return _invite_form(request, access, fields, rule_errors(error, fields))
    wait_for(request, sent.position)
    return render(
        request,
        "members/index.html",
        {
            **_members_context(request, access),
            "values": {},
            "errors": {},
            "new_link": sent.link,
            "new_email": form.email,
        },
        block="invite_panel",
    )


def _invite_form(
    request: Request, access: Access, fields: dict[str, str], errors: FormErrors
) -> Response:
    return render(
        request,
        "members/index.html",
        {
            **_members_context(request, access),
            "values": fields,
            "errors": errors.errors,
            "error_params": errors.params,
        },
        block="invite_panel",
        status_code=422,
    )


@form_endpoint
def cancel_invitation(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.MANAGE_PEOPLE)
    invitation_id = request.path_params["invitation_id"][:36]
    return run_command(
        request,
        lambda: stores(request).governance.cancel_invitation(
            actor_of(access.account), access.consortium_id, invitation_id
        ),
        then=_members_path(request, access),
    )


def _members_path(request: Request, access: Access) -> str:
    return path_for(request, "members:index", consortium_id=access.consortium_id)


@form_endpoint
def change_member_role(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.MANAGE_PEOPLE)
    account_id = request.path_params["account_id"][:64]
    roles = {r.value: r for r in MemberRole}
    role = roles.get(fields.get("role", ""))
    if role is None:
        raise RuleViolated("membership.unchanged")
    partner_id = (
        (fields.get("partner_id") or None) if role is MemberRole.MEMBER else None
    )
    return run_command(
        request,
        lambda: stores(request).governance.change_member_role(
            actor_of(access.account), access.consortium_id, account_id, role, partner_id
        ),
        then=_members_path(request, access),
    )


def revoke_page(request: Request) -> Response:
    access = consortium_access(request)
    # The form is shown only to those who may send it; the service decides on it.
    access.require(Action.MANAGE_PEOPLE)
    account_id = request.path_params["account_id"][:64]
    context = _members_context(request, access)
    names = context["names"]
    if not isinstance(names, dict) or account_id not in names:
        raise NotFound("membership", account_id)
    return render(request, "members/revoke.html", {**context, "person_id": account_id})


@form_endpoint
def revoke(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    access.require(Action.MANAGE_PEOPLE)
    account_id = request.path_params["account_id"][:64]
    return run_command(
        request,
        lambda: stores(request).governance.revoke_membership(
            actor_of(access.account), access.consortium_id, account_id
        ),
        then=_members_path(request, access),
    )


# -- accepting an invitation -------------------------------------------------------


def _invitation(
    request: Request,
) -> tuple[str, InvitationToken, ConsortiumDetails, MemberRole]:
    token = request.path_params["token"]
    if len(token) > 100:
        raise NotFound("invitation", "")
    invitation = stores(request).accounts.invitation(token)
    if (
        invitation is None
        or invitation.used_at is not None
        or invitation.expires_at <= clock(request).now()
    ):
        raise NotFound("invitation", "")
    with queries(request) as connection:
        details = consortium_details(connection, invitation.consortium_id)
        row = invitation_by_id(connection, invitation.invitation_id)
    if details is None or row is None or row.status != "pending":
        raise NotFound("invitation", "")
    return token, invitation, details, row.role


def _other_address(invitation: InvitationToken, account: Account | None) -> bool:
    """Whether a logged-in person holds an invitation sent to another address."""
    return account is not None and normalise_email(account.email) != invitation.email


def _accept_form(
    request: Request,
    token: str,
    invitation: InvitationToken,
    details: ConsortiumDetails,
    role: MemberRole,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The invitation page. Anonymous, it reads the same whether the address has an
    account or not (it does not ask): only logging in tells."""
    return render(
        request,
        "invitations/accept.html",
        {
            "token": token,
            "invitation": invitation,
            "c": details,
            "values": values or {},
            "errors": errors or {},
            "invitation_role": role,
            "other_address": _other_address(invitation, current_account(request)),
        },
        status_code=status_code,
    )


def accept_page(request: Request) -> Response:
    token, invitation, details, role = _invitation(request)
    session = ensure_session(request)
    response = _accept_form(request, token, invitation, details, role)
    attach_session(request, response, session)
    return response


@form_endpoint
def accept(request: Request, fields: dict[str, str]) -> Response:
    token, invitation, details, role = _invitation(request)
    accounts = stores(request).accounts
    account = current_account(request)
    now = clock(request).now()
    new_session = None
    if account is None:
        password = fields.get("password", "")
        try:
            form = parse_new_account(fields, password_problem(password))
            account = accounts.create_account(
                invitation.email, form.display_name, form.password, now=now
            )
        except FormErrors as errors:
            return _accept_form(
                request,
                token,
                invitation,
                details,
                role,
                values=fields,
                errors=errors.errors,
                status_code=422,
            )
        except EmailTaken:
            return RedirectResponse(
                path_for(request, "session:login_page")
                + "?next="
                + path_for(request, "invitations:accept_page", token=token),
                303,
            )
        old = current_session(request)
        if old is not None:
            accounts.close_session(old.token)
        new_session = accounts.open_session(account, now=now)
    elif _other_address(invitation, account) and (
        normalise_email(fields.get("confirm_other_address", "")) != invitation.email
    ):
        # Sent to someone else: the person confirms that this account joins.
        return _accept_form(request, token, invitation, details, role)
    consortium_id = parse_uuid(details.consortium_id)
    # The person joins and the link is spent, together.
    position = stores(request).usecases.invitations.accept(
        actor_of(account), consortium_id, token, invitation
    )
    if _other_address(invitation, account):
        logger.info(
            "invitation.accepted_by_other_address invitation=%s account=%s",
            invitation.invitation_id,
            account.account_id,
        )
    committed(request, position)
    response = RedirectResponse(
        path_for(request, "consortia:overview", consortium_id=consortium_id),
        status_code=303,
    )
    if new_session is not None:
        attach_session(request, response, new_session)
    return response


MEMBER = "/consortia/{consortium_id}/members/{account_id}"
routes = [
    Route(
        "/consortia/{consortium_id}/members",
        members_page,
        methods=["GET"],
        name="members:index",
    ),
    Route(
        "/consortia/{consortium_id}/invitations",
        invite,
        methods=["POST"],
        name="members:invite",
    ),
    Route(
        "/consortia/{consortium_id}/invitations/{invitation_id}/cancel",
        cancel_invitation,
        methods=["POST"],
        name="members:cancel_invitation",
    ),
    Route(MEMBER + "/role", change_member_role, methods=["POST"], name="members:role"),
    Route(MEMBER + "/revoke", revoke_page, methods=["GET"], name="members:revoke_page"),
    Route(MEMBER + "/revoke", revoke, methods=["POST"], name="members:revoke"),
    Route(
        "/invitations/{token}",
        accept_page,
        methods=["GET"],
        name="invitations:accept_page",
    ),
    Route("/invitations/{token}", accept, methods=["POST"], name="invitations:accept"),
]
