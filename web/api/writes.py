"""Write endpoints: what a tool automates (pledge, deliver, measure, report, vote).

Each parses its input with the pages' own form parsers (the same field messages)
and calls the same service method as the page, as the token's person; the service
decides, authoritatively. A refused command leaves nothing: no event, and no file
(a delivery's upload that was not stored before is discarded again). Once done,
the read models include the command before the answer (read-your-writes).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from governance.application import Created as Made
from governance.errors import NotFound
from governance.permissions import Action
from governance.values import Evidence
from projections.decisions.queries import proposal
from projections.indicators import indicator_of
from projections.reporting import obligation
from web.api.auth import parse_uuid
from web.api.declare import Answer, Call
from web.api.models import (
    Created,
    MeasurementBody,
    PledgeBody,
    ReportBody,
    VoteBody,
    as_fields,
)
from web.api.reads import PREFIX, connection
from web.evidence.sniff import EvidenceRejected
from web.forms.commitments import parse_delivery, parse_pledge
from web.forms.decisions import parse_vote
from web.forms.fields import FormErrors
from web.forms.indicators import parse_measurement
from web.request_state import clock, stores
from web.routes.measurements import check_plausible

R = TypeVar("R", bound=int | Made)


def done(call: Call, result: int | Made, url: str | None = None) -> Answer:
    """Wait for the read models to include the command, then say what it made."""
    position = result.position if isinstance(result, Made) else result
    stores(call.request).read_side.wait_for(position)
    made = result.id if isinstance(result, Made) else None
    status = 201 if made is not None else 200
    headers = {"Location": url} if url and made else {}
    return Answer(Created(id=made, position=position, url=url), status, headers)


def pledge(call: Call) -> Answer:
    access = call.consortium
    access.require(Action.PLEDGE)
    body: PledgeBody = call.body
    form = parse_pledge(as_fields(body))
    made = stores(call.request).governance.pledge(
        access.caller.actor, access.consortium_id, form.partner_id, form.pledge
    )
    url = f"{PREFIX}/consortia/{access.cid}/commitments/{made.id}"
    return done(call, made, url)


def _digest(upload: Any) -> str:
    """The SHA-256 of a spooled upload, read without moving its position."""
    sha = hashlib.sha256()
    upload.file.seek(0)
    for chunk in iter(lambda: upload.file.read(1 << 16), b""):
        sha.update(chunk)
    upload.file.seek(0)
    return sha.hexdigest()


def _keeping_nothing_if_refused(
    call: Call, command: Callable[[Evidence | None], R]
) -> R:
    """Store the ``evidence`` upload (checked as the page checks it), run
    ``command`` with it; when refused, discard the file again unless it was stored
    before this call (the same bytes may be another record's file)."""
    files = stores(call.request).evidence
    upload = call.files.get("evidence")
    evidence: Evidence | None = None
    existed = True
    if upload is not None and upload.filename:
        existed = files.exists(_digest(upload))
        try:
            evidence = files.save(upload.file, upload.filename)
        except EvidenceRejected as rejected:
            raise FormErrors({"evidence": rejected.code}) from None
    try:
        return command(evidence)
    except BaseException:
        if evidence is not None and not existed:
            files.discard(evidence.sha256, time.time() + 1)
        raise


def deliver(call: Call) -> Answer:
    access = call.consortium
    access.require(Action.PLEDGE)
    commitment_id = parse_uuid(call.path("commitment_id"))
    form = parse_delivery(call.fields, today=clock(call.request).now().date())

    def command(evidence: Evidence | None) -> Made:
        return stores(call.request).governance.deliver(
            access.caller.actor,
            commitment_id,
            delivered_on=form.delivered_on,
            amount=form.amount,
            description=form.description,
            evidence=evidence,
        )

    made = _keeping_nothing_if_refused(call, command)
    return done(
        call, made, f"{PREFIX}/consortia/{access.cid}/commitments/{commitment_id}"
    )


def measure(call: Call) -> Answer:
    access = call.consortium
    access.require(Action.REPORT)
    indicator_id = str(parse_uuid(call.path("indicator_id")))
    body: MeasurementBody = call.body
    form = parse_measurement(as_fields(body), today=clock(call.request).now().date())
    with connection(call) as c:
        row = indicator_of(c, access.cid, indicator_id)
    if row is None:
        raise NotFound("indicator", indicator_id)
    check_plausible(row, form.value, form.on, confirmed=body.confirm_value)
    position = stores(call.request).governance.measure_indicator(
        access.caller.actor, UUID(indicator_id), form.value, form.on, form.source
    )
    return done(call, position)


def _obligation_id(call: Call) -> UUID:
    obligation_id = parse_uuid(call.path("obligation_id"))
    with connection(call) as c:
        if obligation(c, call.consortium.cid, str(obligation_id)) is None:
            raise NotFound("report", obligation_id)
    return obligation_id


def draft_report(call: Call) -> Answer:
    access = call.consortium
    access.require(Action.REPORT)
    body: ReportBody = call.body
    position = stores(call.request).governance.draft_report(
        access.caller.actor, _obligation_id(call), body.text
    )
    return done(call, position)


def submit_report(call: Call) -> Answer:
    access = call.consortium
    access.require(Action.REPORT)
    position = stores(call.request).governance.submit_report(
        access.caller.actor, _obligation_id(call)
    )
    return done(call, position)


def vote(call: Call) -> Answer:
    access = call.consortium
    access.require(Action.VOTE)
    proposal_id = parse_uuid(call.path("proposal_id"))
    body: VoteBody = call.body
    fields = as_fields(body)
    fields["partner_id"] = body.partner_id or access.membership.partner_id or ""
    form = parse_vote(fields)
    with connection(call) as c:
        if proposal(c, access.cid, str(proposal_id)) is None:
            raise NotFound("proposal", proposal_id)
    position = stores(call.request).governance.cast_vote(
        access.caller.actor, proposal_id, form.partner_id, form.option, form.reason
    )
    return done(call, position)
