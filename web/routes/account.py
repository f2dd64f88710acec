"""A person's own account: password, second factor, their data, erasure.

Grave changes ask for the current password again (counted by the throttle per
account); changing the password ends every other session; erasure removes the
person's data from the accounts store and keeps their id as a pseudonym (the event
log is not touched, so the audit chain still verifies). Platform administrators may
erase someone else's account from ``/admin/accounts/erase``.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from governance.errors import NotFound
from web import two_factor
from web.accounts import Account, former_member_name, password_problem, utcnow
from web.auth import (
    attach_session,
    cookie_name,
    current_session,
    form_endpoint,
    require_account,
)
from web.forms import PASSWORD_MESSAGES
from web.htmx import render
from web.i18n import gettext_
from web.labels import N_
from web.personal_data import as_json, personal_data
from web.routes.common import stores
from web.routes.session import WRONG_CODE, too_many
from web.throttle import REAUTHENTICATE, SECOND_FACTOR, minutes

logger = logging.getLogger(__name__)

NOT_YOUR_PASSWORD = N_("This is not your current password.")
CONFIRM_ERASURE = N_("Tick the box to confirm.")
DONE = {
    "password": N_("Your password is changed. Your other sessions have ended."),
    "enabled": N_("Two-step login is on: from now on, logging in asks for a code."),
    "disabled": N_("Two-step login is off."),
}


class Reauthentication:
    """Checks a current password typed again, counting failures per account."""

    def __init__(self, request: Request, account: Account) -> None:
        self.accounts = stores(request).accounts
        self.account = account
        self.key = (REAUTHENTICATE, account.account_id)

    def wait_minutes(self) -> int | None:
        """Minutes to wait before trying again, if over the limit."""
        wait = self.accounts.throttle.wait(self.key)
        return minutes(wait) if wait is not None else None

    def check(self, password: str) -> bool:
        """Whether the password is right (a wrong one is counted)."""
        if self.accounts.verify_password(self.account.account_id, password[:1024]):
            return True
        self.accounts.throttle.record(self.key)
        logger.warning("reauthentication.failed account=%s", self.account.account_id)
        return False


def account_page(request: Request) -> Response:
    account = require_account(request)
    accounts = stores(request).accounts
    done = DONE.get(request.query_params.get("done", ""))
    return render(
        request,
        "account/index.html",
        {
            "two_factor": accounts.has_second_factor(account.account_id),
            "notice": gettext_(done) if done else None,
        },
    )


# -- password ------------------------------------------------------------------------


def password_page(request: Request) -> Response:
    require_account(request)
    return render(request, "account/password.html", {"values": {}, "errors": {}})


@form_endpoint
def change_password(request: Request, fields: dict[str, str]) -> Response:
    account = require_account(request)
    check = Reauthentication(request, account)
    errors: dict[str, str] = {}
    wait = check.wait_minutes()
    if wait is not None:
        return render(
            request,
            "account/password.html",
            {"values": {}, "errors": {"": too_many(wait)}},
            status_code=429,
        )
    if not check.check(fields.get("current_password", "")):
        errors["current_password"] = NOT_YOUR_PASSWORD
    password = fields.get("password", "")
    problem = password_problem(password)
    if problem is not None:
        errors["password"] = PASSWORD_MESSAGES[problem]
    elif password != fields.get("password_again", ""):
        errors["password_again"] = N_("The two passwords differ.")
    if errors:
        return render(
            request,
            "account/password.html",
            {"values": {}, "errors": errors},
            status_code=422,
        )
    accounts = stores(request).accounts
    # Every session of the account ends, this one included; this browser gets a
    # new one (a new id), the others are sent back to the login page.
    accounts.change_password(account.account_id, password, now=utcnow())
    old = current_session(request)
    if old is not None:
        accounts.close_session(old.token)
    session = accounts.open_session(account, now=utcnow())
    logger.info("password.changed account=%s", account.account_id)
    response = RedirectResponse("/account?done=password", status_code=303)
    attach_session(request, response, session)
    return response


# -- second factor -------------------------------------------------------------------


def _two_factor_context(request: Request, account: Account) -> dict[str, Any]:
    factor = stores(request).accounts.second_factor(account.account_id)
    context: dict[str, Any] = {
        "enabled": factor is not None and factor.enabled,
        "pending": factor is not None and not factor.enabled,
        "values": {},
        "errors": {},
    }
    if factor is not None and not factor.enabled:
        uri = two_factor.provisioning_uri(factor.secret, account.email)
        context.update(
            secret=two_factor.grouped(factor.secret),
            uri=uri,
            qr=two_factor.qr_data_uri(uri),
        )
    return context


def two_factor_page(request: Request) -> Response:
    account = require_account(request)
    return render(
        request, "account/two_factor.html", _two_factor_context(request, account)
    )


@form_endpoint
def start_two_factor(request: Request, fields: dict[str, str]) -> Response:
    account = require_account(request)
    accounts = stores(request).accounts
    if not accounts.has_second_factor(account.account_id):
        accounts.start_second_factor(account.account_id)
    return RedirectResponse("/account/two-factor", status_code=303)


@form_endpoint
def enable_two_factor(request: Request, fields: dict[str, str]) -> Response:
    account = require_account(request)
    accounts = stores(request).accounts
    context = _two_factor_context(request, account)
    if not context["pending"]:
        return RedirectResponse("/account/two-factor", status_code=303)
    key = (SECOND_FACTOR, account.account_id)
    wait = accounts.throttle.wait(key)
    if wait is not None:
        context["errors"] = {"code": too_many(minutes(wait))}
        return render(request, "account/two_factor.html", context, status_code=429)
    if not accounts.use_code(
        account.account_id, fields.get("code", "")[:20], enable=True
    ):
        accounts.throttle.record(key)
        context["errors"] = {"code": WRONG_CODE}
        return render(request, "account/two_factor.html", context, status_code=422)
    accounts.throttle.reset(*key)
    logger.info("two_factor.enabled account=%s", account.account_id)
    return RedirectResponse("/account?done=enabled", status_code=303)


@form_endpoint
def disable_two_factor(request: Request, fields: dict[str, str]) -> Response:
    account = require_account(request)
    accounts = stores(request).accounts
    context = _two_factor_context(request, account)
    if not context["enabled"]:
        return RedirectResponse("/account/two-factor", status_code=303)
    check = Reauthentication(request, account)
    code_key = (SECOND_FACTOR, account.account_id)
    wait = check.wait_minutes()
    code_wait = accounts.throttle.wait(code_key)
    if wait is not None or code_wait is not None:
        delay = max(wait or 0, minutes(code_wait) if code_wait else 0)
        context["errors"] = {"": too_many(delay)}
        return render(request, "account/two_factor.html", context, status_code=429)
    errors: dict[str, str] = {}
    if not check.check(fields.get("password", "")):
        errors["password"] = NOT_YOUR_PASSWORD
    elif not accounts.use_code(account.account_id, fields.get("code", "")[:20]):
        accounts.throttle.record(code_key)
        errors["code"] = WRONG_CODE
    if errors:
        context["errors"] = errors
        return render(request, "account/two_factor.html", context, status_code=422)
    accounts.remove_second_factor(account.account_id)
    logger.info("two_factor.disabled account=%s", account.account_id)
    return RedirectResponse("/account?done=disabled", status_code=303)


# -- the person's data ---------------------------------------------------------------


def export(request: Request) -> Response:
    account = require_account(request)
    now = utcnow()
    data = personal_data(stores(request), account.account_id, now=now)
    logger.info("personal_data.exported account=%s", account.account_id)
    filename = f"personal-data-{now.date().isoformat()}.json"
    return Response(
        as_json(data),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def erase_page(request: Request) -> Response:
    require_account(request)
    return render(request, "account/erase.html", {"values": {}, "errors": {}})


@form_endpoint
def erase(request: Request, fields: dict[str, str]) -> Response:
    account = require_account(request)
    check = Reauthentication(request, account)
    wait = check.wait_minutes()
    if wait is not None:
        return render(
            request,
            "account/erase.html",
            {"values": {}, "errors": {"": too_many(wait)}},
            status_code=429,
        )
    errors: dict[str, str] = {}
    if fields.get("confirm") != "yes":
        errors["confirm"] = CONFIRM_ERASURE
    if not check.check(fields.get("password", "")):
        errors["password"] = NOT_YOUR_PASSWORD
    if errors:
        return render(
            request,
            "account/erase.html",
            {"values": {}, "errors": errors},
            status_code=422,
        )
    stores(request).accounts.erase(account.account_id)
    logger.info("account.erased account=%s by=self", account.account_id)
    response = RedirectResponse("/login?done=erased", status_code=303)
    response.delete_cookie(cookie_name(request), path="/")
    return response


# -- platform administrators ---------------------------------------------------------


def _require_admin(request: Request) -> Account:
    account = require_account(request)
    if not account.is_admin:
        raise NotFound("page", request.url.path)
    return account


def admin_erase_page(request: Request) -> Response:
    _require_admin(request)
    return render(
        request, "account/admin_erase.html", {"values": {}, "errors": {}, "done": None}
    )


@form_endpoint
def admin_erase(request: Request, fields: dict[str, str]) -> Response:
    admin = _require_admin(request)
    accounts = stores(request).accounts
    check = Reauthentication(request, admin)
    email = fields.get("email", "")[:254]
    values = {"email": email}
    wait = check.wait_minutes()
    if wait is not None:
        return render(
            request,
            "account/admin_erase.html",
            {"values": values, "errors": {"": too_many(wait)}, "done": None},
            status_code=429,
        )
    errors: dict[str, str] = {}
    target = accounts.by_email(email)
    if target is None:
        errors["email"] = N_("No account uses this address.")
    elif target.account_id == admin.account_id:
        errors["email"] = N_("Erase your own account from your account page.")
    if fields.get("confirm") != "yes":
        errors["confirm"] = CONFIRM_ERASURE
    if not check.check(fields.get("password", "")):
        errors["password"] = NOT_YOUR_PASSWORD
    if errors or target is None:
        return render(
            request,
            "account/admin_erase.html",
            {"values": values, "errors": errors, "done": None},
            status_code=422,
        )
    accounts.erase(target.account_id)
    logger.info("account.erased account=%s by=%s", target.account_id, admin.account_id)
    return render(
        request,
        "account/admin_erase.html",
        {
            "values": {},
            "errors": {},
            "done": former_member_name(target.account_id),
        },
    )


routes = [
    Route("/account", account_page, methods=["GET"], name="account:index"),
    Route(
        "/account/password",
        password_page,
        methods=["GET"],
        name="account:password_page",
    ),
    Route(
        "/account/password", change_password, methods=["POST"], name="account:password"
    ),
    Route(
        "/account/two-factor",
        two_factor_page,
        methods=["GET"],
        name="account:two_factor",
    ),
    Route(
        "/account/two-factor/setup",
        start_two_factor,
        methods=["POST"],
        name="account:two_factor_setup",
    ),
    Route(
        "/account/two-factor/enable",
        enable_two_factor,
        methods=["POST"],
        name="account:two_factor_enable",
    ),
    Route(
        "/account/two-factor/disable",
        disable_two_factor,
        methods=["POST"],
        name="account:two_factor_disable",
    ),
    Route("/account/export", export, methods=["GET"], name="account:export"),
    Route("/account/erase", erase_page, methods=["GET"], name="account:erase_page"),
    Route("/account/erase", erase, methods=["POST"], name="account:erase"),
    Route(
        "/admin/accounts/erase",
        admin_erase_page,
        methods=["GET"],
        name="admin:erase_page",
    ),
    Route("/admin/accounts/erase", admin_erase, methods=["POST"], name="admin:erase"),
]
