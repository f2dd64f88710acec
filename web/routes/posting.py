"""The answer to a command, written once: run it, show a refusal on its form, or
answer once its events are committed (the POST skeleton of ``style.md``).

A route handler keeps what is its own: who may ask (``Access.require``), which form
and command, which block shows a refusal and where to go next. This module does the
rest the same way for every form: ``FormErrors`` and ``RuleViolated`` come back on
the form (422, one mapping from a rule to its input: ``rule_errors``), and a done
command is answered at once: a redirect (303, or ``HX-Redirect``) does not wait for
the read models, since the browser's next request waits for this command's position
(``web.own_writes``); a response the handler builds from the read models (a fragment
in place) waits for it at its first read.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from governance.application import Created
from governance.errors import RuleViolated
from governance.values import Evidence
from web.evidence.sniff import EvidenceRejected
from web.forms.fields import FormErrors, rule_errors
from web.htmx import redirect
from web.routes.common import committed, stores

R = TypeVar("R", bound=int | Created | None)


def run_command(
    request: Request,
    command: Callable[[], R],
    *,
    then: str | Callable[[R], Response | str],
    refused: Callable[[FormErrors], Response] | None = None,
    inputs: Collection[str] = (),
    slot: str = "",
) -> Response:
    """Run ``command`` and answer for it.

    ``command`` parses the form and calls the service; it returns what the service
    returns (a position, ``Created``, or ``None`` when nothing changed). When the
    form or a rule refuses it, ``refused`` re-renders the form with the errors: a
    rule's refusal goes next to the input it names if ``inputs`` (the form's input
    names) has it, else in ``slot``. Without ``refused``, a rule's refusal goes to
    the application's error handler. Once done, ``then`` answers: a path to go to,
    or a response (given the command's result, for the path of what it created:
    ``web.links.path_for``). Neither waits for the read models to catch up, unless
    the response reads them (``web.routes.common.query`` waits then).
    """
    try:
        result = command()
    except FormErrors as errors:
        if refused is None:
            raise
        return refused(errors)
    except RuleViolated as error:
        if refused is None:
            raise
        return refused(rule_errors(error, inputs, slot))
    position = result.position if isinstance(result, Created) else result
    if position is not None:
        committed(request, position)
    answer = then(result) if callable(then) else then
    if isinstance(answer, Response):
        return answer
    return redirect(request, answer)


def saved_upload(
    request: Request, files: Mapping[str, Any], name: str
) -> Evidence | None:
    """The file sent in the input ``name``, stored; ``None`` if none was sent.

    A file the evidence store refuses (too large, of a type not accepted) is a form
    error on that input.
    """
    upload = files.get(name)
    if upload is None or not upload.filename:
        return None
    try:
        return stores(request).evidence.save(upload.file, upload.filename)
    except EvidenceRejected as rejected:
        raise FormErrors({name: rejected.code}) from None
