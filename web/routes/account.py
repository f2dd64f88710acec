"""A person's own account: password, second factor, their data, erasure.

Grave changes ask for the current password again (counted by the throttle per
account); changing the password, or switching two-step login on or off, or making
new recovery codes, ends every other session (ASVS 7.4.3: whoever was logged in with
the old factors logs in again), and this browser gets a new session id. Recovery
codes are shown once, in the answer to the request that made them, never stored in
clear (``Cache-Control: no-store``). Erasure removes the
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
from web.auth import (
    attach_session,
    cookie_name,
    current_session,
    form_endpoint,
    require_account,
)
from web.forms.members import PASSWORD_MESSAGES
from web.htmx import render
from web.i18n import N_, gettext_
from web.identity import totp
from web.identity.accounts import Account
from web.identity.erasure import former_member_name
from web.identity.passwords import PasswordChecksBusy, password_problem
from web.identity.personal_data import as_json, personal_data
from web.identity.second_factor import FEW_RECOVERY_CODES
from web.identity.sessions import Session
from web.identity.throttle import (
    REAUTHENTICATE,
    SECOND_FACTOR,
    Limit,
    Reservation,
    minutes,
)
from web.links import path_for
from web.request_state import clock, request_state
from web.routes.common import stores
from web.routes.session import NOT_A_CODE, NOT_A_CODE_OR_RECOVERY, WRONG_CODE, too_many

logger = logging.getLogger(__name__)

NOT_YOUR_PASSWORD = N_("This is not your current password.")
CONFIRM_ERASURE = N_("Tick the box to confirm.")
CONFIRM_NEW_CODES = N_("Tick the box to confirm.")
DONE = {
    "password": N_("Your password is changed. Your other sessions have ended."),
    "enabled": N_(
        "Two-step login is on: from now on, logging in asks for a code. "
        "Your other sessions have ended."
    ),
    "disabled": N_("Two-step login is off. Your other sessions have ended."),
    "codes": N_(
        "Your new recovery codes are saved; the former ones no longer work. "
        "Your other sessions have ended."
    ),
    "recovery": N_(
        "You logged in with a recovery code, which now no longer works. If you lost "
        "your phone, switch two-step login off and on again with the new one."
    ),
}
NO_STORE = {"Cache-Control": "no-store"}


class Reauthentication:
    """Checks a current password typed again, counting failures per account.

    ``reserve`` counts the attempt before anything is verified (attempts sent at
    once see each other), optionally with more throttle keys checked in the same
    step (a second-factor code); ``check`` then verifies the password, and a right
    one is uncounted.
    """

    def __init__(self, request: Request, account: Account) -> None:
        self.accounts = stores(request).accounts
        self.account = account
        self.key = (REAUTHENTICATE, account.account_id)
        self.attempt: Reservation | None = None

    def reserve(self, *also: tuple[Limit, str]) -> int | None:
        """Minutes to wait if over a limit; None once the attempt is counted."""
        self.attempt = self.accounts.throttle.reserve(self.key, *also)
        wait = self.attempt.wait
        return minutes(wait) if wait is not None else None

    def check(self, password: str) -> bool:
        """Whether the password is right (a wrong one stays counted)."""
        if self.attempt is None or not self.attempt.granted:
            raise RuntimeError("check() before a granted reserve()")
        try:
            right = self.accounts.verify_password(
                self.account.account_id, password[:1024]
            )
        except PasswordChecksBusy:
            self.release()  # nothing was checked: nothing is counted
            raise
        if right:
            self.release(REAUTHENTICATE)
            return True
        self.settle()
        logger.warning("reauthentication.failed account=%s", self.account.account_id)
        return False

    def settle(self) -> None:
        """Record the attempt as a failure (see ``Throttle.settle``)."""
        if self.attempt is not None:
            self.accounts.throttle.settle(self.attempt)

    def release(self, *limits: Limit) -> None:
        """Uncount the attempt (for ``limits`` only, if given)."""
        if self.attempt is not None:
            self.accounts.throttle.release(self.attempt, *limits)


def _recovery_context(request: Request, account: Account) -> dict[str, Any]:
    """How many recovery codes are left, and whether that is few."""
    left = stores(request).accounts.recovery_codes_left(account.account_id)
    return {"recovery_left": left, "few_recovery_codes": left <= FEW_RECOVERY_CODES}


def _notice(request: Request) -> str | None:
    done = DONE.get(request.query_params.get("done", ""))
    return gettext_(done) if done else None


def account_page(request: Request) -> Response:
    account = require_account(request)
    accounts = stores(request).accounts
    return render(
        request,
        "account/index.html",
        {
            "two_factor": accounts.has_second_factor(account.account_id),
            "notice": _notice(request),
            **_recovery_context(request, account),
        },
    )


def _renew_session(request: Request, account: Account) -> Session:
    """End every session of the account, then give this browser a new one.

    The new session becomes the request's, so the page rendered next carries its
    CSRF token; the caller sets its cookie with ``attach_session``.
    """
    accounts = stores(request).accounts
    now = clock(request).now()
    accounts.end_sessions(account.account_id, now=now)
    old = current_session(request)
    if old is not None:
        accounts.close_session(old.token)
    session = accounts.open_session(account, now=now)
    request_state(request).session = session
    return session


# -- password ------------------------------------------------------------------------


def password_page(request: Request) -> Response:
    require_account(request)
    return render(request, "account/password.html", {"values": {}, "errors": {}})


@form_endpoint
def change_password(request: Request, fields: dict[str, str]) -> Response:
    account = require_account(request)
    check = Reauthentication(request, account)
    errors: dict[str, str] = {}
    wait = check.reserve()
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
    accounts.change_password(account.account_id, password, now=clock(request).now())
    session = _renew_session(request, account)
    logger.info("password.changed account=%s", account.account_id)
    response = RedirectResponse(
        path_for(request, "account:index") + "?done=password", status_code=303
    )
    attach_session(request, response, session)
    return response


# -- second factor -------------------------------------------------------------------


def _two_factor_context(request: Request, account: Account) -> dict[str, Any]:
    factor = stores(request).accounts.second_factor(account.account_id)
    # A pending secret that does not open (the key changed) is set up afresh.
    pending = factor is not None and not factor.enabled and factor.secret is not None
    context: dict[str, Any] = {
        "enabled": factor is not None and factor.enabled,
        "pending": pending,
        "values": {},
        "errors": {},
        "new_codes_errors": {},
        "notice": _notice(request),
        **_recovery_context(request, account),
    }
    if factor is not None and factor.secret is not None and pending:
        uri = totp.provisioning_uri(factor.secret, account.email)
        context.update(
            secret=totp.grouped(factor.secret),
            uri=uri,
            qr=totp.qr_data_uri(uri),
        )
    return context


def _show_codes(
    request: Request, account: Account, codes: list[str], *, done: str
) -> Response:
    """The new recovery codes, shown this once (never cached), in a new session."""
    session = _renew_session(request, account)
    response = render(
        request,
        "account/recovery_codes.html",
        {
            "codes": codes,
            "done": done,
            "as_text": "\n".join(
                [
                    gettext_(N_("Consortium Ledger recovery codes for %(email)s"))
                    % {"email": account.email},
                    "",
                    *codes,
                    "",
                ]
            ),
        },
        headers=NO_STORE,
    )
    attach_session(request, response, session)
    return response


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
    return RedirectResponse(path_for(request, "account:two_factor"), status_code=303)


@form_endpoint
def enable_two_factor(request: Request, fields: dict[str, str]) -> Response:
    account = require_account(request)
    accounts = stores(request).accounts
    context = _two_factor_context(request, account)
    if not context["pending"]:
        return RedirectResponse(
            path_for(request, "account:two_factor"), status_code=303
        )
    # The password too: a stolen session must not tie the account to the thief's
    # phone (ASVS 6.4: re-authentication before changing an authentication factor).
    code = fields.get("code", "")[:20]
    if not totp.may_be_code(code, recovery=False):
        context["errors"] = {"code": NOT_A_CODE}
        return render(request, "account/two_factor.html", context, status_code=422)
    check = Reauthentication(request, account)
    key = (SECOND_FACTOR, account.account_id)
    wait = check.reserve(key)
    if wait is not None:
        context["errors"] = {"": too_many(wait)}
        return render(request, "account/two_factor.html", context, status_code=429)
    if not check.check(fields.get("password", "")):
        check.release(SECOND_FACTOR)  # the code was not tried
        context["errors"] = {"password": NOT_YOUR_PASSWORD}
        return render(request, "account/two_factor.html", context, status_code=422)
    if not accounts.use_code(account.account_id, code, enable=True):
        check.settle()
        context["errors"] = {"code": WRONG_CODE}
        return render(request, "account/two_factor.html", context, status_code=422)
    check.release()  # a right code: uncounted, then the failures before it forgotten
    accounts.throttle.reset(*key)
    codes = accounts.new_recovery_codes(account.account_id)
    logger.info("two_factor.enabled account=%s", account.account_id)
    return _show_codes(request, account, codes, done="enabled")


@form_endpoint
def new_recovery_codes(request: Request, fields: dict[str, str]) -> Response:
    account = require_account(request)
    accounts = stores(request).accounts
    context = _two_factor_context(request, account)
    if not context["enabled"]:
        return RedirectResponse(
            path_for(request, "account:two_factor"), status_code=303
        )
    check = Reauthentication(request, account)
    wait = check.reserve()
    if wait is not None:
        context["new_codes_errors"] = {"": too_many(wait)}
        return render(request, "account/two_factor.html", context, status_code=429)
    errors: dict[str, str] = {}
    if fields.get("confirm") != "yes":
        errors["confirm"] = CONFIRM_NEW_CODES
    if not check.check(fields.get("password", "")):
        errors["password"] = NOT_YOUR_PASSWORD
    if errors:
        context["new_codes_errors"] = errors
        return render(request, "account/two_factor.html", context, status_code=422)
    codes = accounts.new_recovery_codes(account.account_id)
    logger.info("two_factor.recovery_codes_renewed account=%s", account.account_id)
    return _show_codes(request, account, codes, done="codes")


@form_endpoint
def disable_two_factor(request: Request, fields: dict[str, str]) -> Response:
    account = require_account(request)
    accounts = stores(request).accounts
    context = _two_factor_context(request, account)
    if not context["enabled"]:
        return RedirectResponse(
            path_for(request, "account:two_factor"), status_code=303
        )
    text = fields.get("code", "")[:40]
    if not totp.may_be_code(text, recovery=True):
        context["errors"] = {"code": NOT_A_CODE_OR_RECOVERY}
        return render(request, "account/two_factor.html", context, status_code=422)
    check = Reauthentication(request, account)
    wait = check.reserve((SECOND_FACTOR, account.account_id))
    if wait is not None:
        context["errors"] = {"": too_many(wait)}
        return render(request, "account/two_factor.html", context, status_code=429)
    errors: dict[str, str] = {}
    if not check.check(fields.get("password", "")):
        check.release(SECOND_FACTOR)  # the code was not tried
        errors["password"] = NOT_YOUR_PASSWORD
    elif not accounts.use_second_factor(account.account_id, text):
        # A recovery code will do too (the phone may be lost): one throttle for both.
        check.settle()
        errors["code"] = WRONG_CODE
    else:
        check.release()
    if errors:
        context["errors"] = errors
        return render(request, "account/two_factor.html", context, status_code=422)
    accounts.remove_second_factor(account.account_id)
    session = _renew_session(request, account)
    logger.info("two_factor.disabled account=%s", account.account_id)
    response = RedirectResponse(
        path_for(request, "account:index") + "?done=disabled", status_code=303
    )
    attach_session(request, response, session)
    return response


# -- the person's data ---------------------------------------------------------------


def export(request: Request) -> Response:
    account = require_account(request)
    now = clock(request).now()
    s = stores(request)
    data = personal_data(s.accounts.engine, s.read_side, account.account_id, now=now)
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
    wait = check.reserve()
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
    stores(request).usecases.erasure.erase(account.account_id)
    logger.info("account.erased account=%s by=self", account.account_id)
    response = RedirectResponse(
        path_for(request, "session:login_page") + "?done=erased", status_code=303
    )
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
    # Filled in from the administrators' list of accounts ("Erase…").
    values = {"email": request.query_params.get("email", "")[:254]}
    return render(
        request,
        "account/admin_erase.html",
        {"values": values, "errors": {}, "done": None},
    )


@form_endpoint
def admin_erase(request: Request, fields: dict[str, str]) -> Response:
    admin = _require_admin(request)
    accounts = stores(request).accounts
    check = Reauthentication(request, admin)
    email = fields.get("email", "")[:254]
    values = {"email": email}
    wait = check.reserve()
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
    stores(request).usecases.erasure.erase(target.account_id)
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
    Route(
        "/account/two-factor/recovery-codes",
        new_recovery_codes,
        methods=["POST"],
        name="account:recovery_codes",
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
