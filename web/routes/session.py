"""Logging in and out (with login throttling and the second factor), recovering a
forgotten password, and choosing the language.

Login failures are counted per e-mail address (known or not) and per client address
(``web/identity/throttle.py``); once either is over its limit the form answers 429 with
the same generic message and how long to wait, without verifying anything. An account
with a second factor gets, after its password, a session that is still anonymous and a
page asking for the code (or a recovery code, spent once used); only that opens a
session with rights. The pending step lives five minutes and ends with any change of the
password; wrong codes and wrong recovery codes are counted by one throttle.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from governance.errors import NotFound
from web.auth import (
    attach_session,
    client_address,
    cookie_name,
    current_account,
    current_session,
    ensure_session,
    form_endpoint,
)
from web.errors import error_response
from web.faults import HEALTH_PATH, classify, health_unavailable
from web.forms.members import PASSWORD_MESSAGES
from web.htmx import render
from web.i18n import LANGUAGES, N_, gettext_, ngettext_
from web.identity import totp
from web.identity.accounts import Account, normalise_email
from web.identity.passwords import PasswordChecksBusy, password_problem
from web.identity.throttle import (
    LOGIN_ACCOUNT,
    LOGIN_ADDRESS,
    RESET_ADDRESS,
    RESET_EMAIL,
    RESET_TOKEN,
    SECOND_FACTOR,
    minutes,
)
from web.links import path_for
from web.request_state import clock, request_state
from web.routes.common import stores
from web.usecases.keys import request_key

logger = logging.getLogger(__name__)

WRONG_LOGIN = N_("Wrong e-mail address or password.")
WRONG_CODE = N_(
    "This code is not right, or it was used already. Wait for the next one."
)
NOT_A_CODE = N_("A code is the six digits, 0 to 9, that your application shows.")
NOT_A_CODE_OR_RECOVERY = N_(
    "Type the six digits, 0 to 9, that your application shows, or one of your "
    "recovery codes."
)


def too_many(delay_minutes: int) -> str:
    """The throttled answer: how long to wait, in whole minutes."""
    return ngettext_(
        "Too many attempts. Try again in %(num)d minute.",
        "Too many attempts. Try again in %(num)d minutes.",
        delay_minutes,
    ) % {"num": delay_minutes}


def safe_next(request: Request, target: str | None) -> str:
    """Only local paths are followed after login (no open redirect); else home."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    ):
        return target
    return path_for(request, "consortia:home")


def login_page(request: Request) -> Response:
    if current_account(request) is not None:
        return RedirectResponse(
            safe_next(request, request.query_params.get("next")), 303
        )
    session = ensure_session(request)
    notice = {
        "reset": N_("Your password is changed. Log in with the new one."),
        "erased": N_("Your account is erased. Goodbye."),
    }.get(request.query_params.get("done", ""))
    response = render(
        request,
        "auth/login.html",
        {
            "next": safe_next(request, request.query_params.get("next")),
            "email": "",
            "error": None,
            "notice": gettext_(notice) if notice else None,
        },
    )
    attach_session(request, response, session)
    return response


def _login_form(
    request: Request, target: str, email: str, *, status: int, wait: int | None = None
) -> Response:
    return render(
        request,
        "auth/login.html",
        {
            "next": target,
            "email": email,
            # One message whatever went wrong: no hint about which accounts exist.
            "error": gettext_(WRONG_LOGIN),
            "throttled": too_many(wait) if wait is not None else None,
        },
        status_code=status,
    )


@form_endpoint
def login(request: Request, fields: dict[str, str]) -> Response:
    accounts = stores(request).accounts
    throttle = accounts.throttle
    email = fields.get("email", "")[:254]
    target = safe_next(request, fields.get("next"))
    address = client_address(request)
    # The address as typed, normalised: unknown ones are counted like known ones.
    keys = ((LOGIN_ACCOUNT, normalise_email(email)), (LOGIN_ADDRESS, address))
    # Counted before the password is verified, so attempts sent at once see each
    # other: at most the limit of them are verified.
    attempt = throttle.reserve(*keys)
    if attempt.wait is not None:
        logger.warning("login.throttled client=%s", address)
        return _login_form(
            request, target, email, status=429, wait=minutes(attempt.wait)
        )
    try:
        account = accounts.authenticate(email, fields.get("password", "")[:1024])
    except PasswordChecksBusy:
        throttle.release(attempt)  # nothing was checked: nothing is counted
        raise
    if account is None:
        throttle.settle(attempt)  # a failure: counted until the window or a success
        logger.warning("login.failed client=%s", address)
        return _login_form(request, target, email, status=422)
    # A right password clears the account's count and does not count per address.
    throttle.release(attempt)
    throttle.reset(LOGIN_ACCOUNT, normalise_email(email))
    old = current_session(request)
    if old is not None:
        accounts.close_session(old.token)
    if accounts.has_second_factor(account.account_id):
        # Half-authenticated: a fresh session without rights, waiting for the code.
        pending = accounts.open_session(None, now=clock(request).now())
        accounts.begin_pending_login(pending.token, account.account_id, target)
        logger.info("login.password_ok_code_needed account=%s", account.account_id)
        response = RedirectResponse(
            path_for(request, "session:code_page"), status_code=303
        )
        attach_session(request, response, pending)
        return response
    return _logged_in(request, account, target)


def _logged_in(request: Request, account: Account, target: str) -> Response:
    """Open the person's session (a new id) and go where they were going."""
    accounts = stores(request).accounts
    session = accounts.open_session(account, now=clock(request).now())
    if accounts.preferences(account.account_id).language is None:
        # E-mails go out in the language the person first used here, until chosen.
        accounts.update_preferences(
            account.account_id, language=request_state(request).language
        )
    logger.info("login.succeeded account=%s", account.account_id)
    response = RedirectResponse(target, status_code=303)
    attach_session(request, response, session)
    return response


def code_page(request: Request) -> Response:
    session = current_session(request)
    accounts = stores(request).accounts
    if session is None or accounts.pending_login(session.token) is None:
        return RedirectResponse(
            path_for(request, "session:login_page"), status_code=303
        )
    return render(request, "auth/code.html", {"error": None})


@form_endpoint
def give_code(request: Request, fields: dict[str, str]) -> Response:
    session = current_session(request)
    accounts = stores(request).accounts
    pending = accounts.pending_login(session.token) if session else None
    if session is None or pending is None:
        return RedirectResponse(
            path_for(request, "session:login_page"), status_code=303
        )
    text = fields.get("code", "")[:40]
    if not totp.may_be_code(text, recovery=True):
        # Not a code at all (other digits than 0-9, letters…): said plainly, and
        # not counted, since nothing secret was compared.
        return render(
            request,
            "auth/code.html",
            {"error": gettext_(NOT_A_CODE_OR_RECOVERY)},
            status_code=422,
        )
    throttle = accounts.throttle
    key = (SECOND_FACTOR, pending.account_id)
    attempt = throttle.reserve(key)
    if attempt.wait is not None:
        logger.warning("login.code_throttled account=%s", pending.account_id)
        return render(
            request,
            "auth/code.html",
            {"error": too_many(minutes(attempt.wait))},
            status_code=429,
        )
    used = accounts.use_second_factor(pending.account_id, text)
    if used is None:
        throttle.settle(attempt)
        logger.warning("login.code_refused account=%s", pending.account_id)
        return render(
            request, "auth/code.html", {"error": gettext_(WRONG_CODE)}, status_code=422
        )
    account = accounts.by_id(pending.account_id)
    accounts.end_pending_login(session.token)
    accounts.close_session(session.token)
    if account is None or account.disabled:
        return RedirectResponse(
            path_for(request, "session:login_page"), status_code=303
        )
    # The right code is uncounted, then the failures before it are forgotten.
    throttle.release(attempt)
    throttle.reset(*key)
    if used == "recovery":
        # Tell the person how many are left, and what to do about a lost phone.
        logger.warning("login.recovery_code_used account=%s", account.account_id)
        return _logged_in(request, account, "/account/two-factor?done=recovery")
    return _logged_in(request, account, pending.next_path)


# -- a forgotten password ------------------------------------------------------------


def forgot_page(request: Request) -> Response:
    session = ensure_session(request)
    response = render(
        request, "auth/forgot.html", {"email": "", "sent": False, "error": None}
    )
    attach_session(request, response, session)
    return response


@form_endpoint
def forgot(request: Request, fields: dict[str, str]) -> Response:
    accounts = stores(request).accounts
    throttle = accounts.throttle
    email = normalise_email(fields.get("email", "")[:254])
    keys = ((RESET_EMAIL, email), (RESET_ADDRESS, client_address(request)))
    attempt = throttle.reserve(*keys)
    if attempt.wait is not None:
        logger.warning("reset.throttled client=%s", client_address(request))
        return render(
            request,
            "auth/forgot.html",
            {"email": email, "sent": False, "error": too_many(minutes(attempt.wait))},
            status_code=429,
        )
    if "@" not in email:
        throttle.release(attempt)  # no e-mail could go out: not a request
        return render(
            request,
            "auth/forgot.html",
            {
                "email": email,
                "sent": False,
                "error": gettext_(N_("Enter an e-mail address.")),
            },
            status_code=422,
        )
    # The link and its e-mail, once per request key; nothing for an unknown address.
    sent = stores(request).usecases.password_resets.send(
        email, language=request_state(request).language, key=request_key(fields)
    )
    if not sent:
        logger.info("reset.unknown_address client=%s", client_address(request))
    # The same answer whether the account exists or not.
    return render(
        request, "auth/forgot.html", {"email": email, "sent": True, "error": None}
    )


def _reset_target(request: Request) -> tuple[str, Account]:
    """The token in the path and the account it opens; 404 (or 429) otherwise."""
    accounts = stores(request).accounts
    address = client_address(request)
    attempt = accounts.throttle.reserve((RESET_TOKEN, address))
    if attempt.wait is not None:
        raise ResetThrottled(minutes(attempt.wait))
    token = request.path_params["token"]
    account = accounts.reset_account(token) if len(token) < 100 else None
    if account is None:
        logger.warning("reset.bad_link client=%s", address)
        raise NotFound("reset link", "")
    accounts.throttle.release(attempt)  # a live link is no guess
    return token, account


class ResetThrottled(Exception):
    """Too many wrong reset links from one address (carries the minutes to wait)."""

    def __init__(self, wait_minutes: int) -> None:
        super().__init__(wait_minutes)
        self.wait_minutes = wait_minutes


def reset_page(request: Request) -> Response:
    try:
        token, _account = _reset_target(request)
    except ResetThrottled as throttled:
        return error_response(request, 429, too_many(throttled.wait_minutes))
    session = ensure_session(request)
    response = render(
        request, "auth/reset.html", {"token": token, "values": {}, "errors": {}}
    )
    attach_session(request, response, session)
    return response


@form_endpoint
def reset(request: Request, fields: dict[str, str]) -> Response:
    try:
        token, _account = _reset_target(request)
    except ResetThrottled as throttled:
        return error_response(request, 429, too_many(throttled.wait_minutes))
    password = fields.get("password", "")
    errors: dict[str, str] = {}
    problem = password_problem(password)
    if problem is not None:
        errors["password"] = PASSWORD_MESSAGES[problem]
    elif password != fields.get("password_again", ""):
        errors["password_again"] = N_("The two passwords differ.")
    if errors:
        return render(
            request,
            "auth/reset.html",
            {"token": token, "values": {}, "errors": errors},
            status_code=422,
        )
    account = stores(request).accounts.reset_password(token, password)
    if account is None:
        raise NotFound("reset link", "")
    logger.info("reset.done account=%s", account.account_id)
    session = current_session(request)
    if session is not None:
        stores(request).accounts.close_session(session.token)
    response = RedirectResponse(
        path_for(request, "session:login_page") + "?done=reset", status_code=303
    )
    response.delete_cookie(cookie_name(request), path="/")
    return response


@form_endpoint
def logout(request: Request, fields: dict[str, str]) -> Response:
    session = current_session(request)
    if session is not None:
        stores(request).accounts.close_session(session.token)
    response = RedirectResponse(
        path_for(request, "session:login_page"), status_code=303
    )
    response.delete_cookie(cookie_name(request), path="/")
    return response


@form_endpoint
def choose_language(request: Request, fields: dict[str, str]) -> Response:
    language = fields.get("language", "")
    response = RedirectResponse(safe_next(request, fields.get("next")), status_code=303)
    if language in LANGUAGES:
        response.set_cookie(
            "lang",
            language,
            max_age=365 * 24 * 3600,
            samesite="lax",
            secure=request.url.scheme == "https",
            httponly=True,
        )
    return response


async def health(request: Request) -> Response:
    """``ok <read position>``, or 503 ``unavailable`` while a database is out of reach.

    Both the read models and the event store are asked, so a load balancer stops
    sending traffic here until both answer again.
    """
    opened = stores(request)

    def probe() -> int:
        opened.governance.recorder.max_notification_id()
        return opened.read_side.position()

    try:
        position = await run_in_threadpool(probe)
    except Exception as error:
        fault = classify(error)
        if fault is None:
            raise
        return health_unavailable(fault)
    return Response(f"ok {position}\n", media_type="text/plain")


RESET = "/password/reset/{token}"
routes = [
    Route("/login", login_page, methods=["GET"], name="session:login_page"),
    Route("/login", login, methods=["POST"], name="session:login"),
    Route("/login/code", code_page, methods=["GET"], name="session:code_page"),
    Route("/login/code", give_code, methods=["POST"], name="session:code"),
    Route("/password/forgot", forgot_page, methods=["GET"], name="session:forgot_page"),
    Route("/password/forgot", forgot, methods=["POST"], name="session:forgot"),
    Route(RESET, reset_page, methods=["GET"], name="session:reset_page"),
    Route(RESET, reset, methods=["POST"], name="session:reset"),
    Route("/logout", logout, methods=["POST"], name="session:logout"),
    Route("/language", choose_language, methods=["POST"], name="session:language"),
    Route(HEALTH_PATH, health, methods=["GET"], name="session:health"),
]
