"""Read endpoints: consortia, partners, the ledger, bodies and proposals.

Each reads the same read models as the pages, through the caller's access to the
consortium in the path (``declare``: a non-member gets 404, as on the pages).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from governance.errors import NotFound
from governance.values import Evidence
from projections.consortia import consortia_of
from projections.decisions.queries import (
    LogFilter,
    bodies_of,
    decision_log,
    document_of,
    open_proposals,
    proposal,
    votes_of,
)
from projections.decisions.rows import ProposalRow
from projections.ledger import (
    commitment,
    commitments_of,
    contribution_with_evidence,
    contributions_of,
)
from projections.members import memberships_of_account
from projections.partners import PartnerRow, partners_of
from projections.reporting import attachment_of
from web.api.auth import parse_uuid
from web.api.declare import Call
from web.api.models import (
    Bodies,
    CommitmentDetail,
    Consortium,
    Delivered,
    Proposal,
    ProposalDetail,
)
from web.evidence.download import file_response
from web.request_state import stores

PREFIX = "/api/v1"


def connection(call: Call) -> Any:
    """A read-model connection (use as a context manager)."""
    return stores(call.request).read_side.engine.connect()


def evidence_url(consortium_id: str, evidence: Evidence | None) -> str | None:
    """Where the API serves a file of the consortium (the token opens it)."""
    if evidence is None:
        return None
    return f"{PREFIX}/consortia/{consortium_id}/evidence/{evidence.sha256}"


def consortia(call: Call) -> list[Consortium]:
    """The caller's consortia (only the token's one, if it is for one)."""
    account_id = call.caller.account.account_id
    only = call.caller.token.consortium_id
    with connection(call) as c:
        rows = consortia_of(c, account_id)
        roles = {m.consortium_id: m for m in memberships_of_account(c, account_id)}
    return [
        Consortium(
            consortium=row,
            role=roles[row.consortium_id].role.value,
            partner_id=roles[row.consortium_id].partner_id,
        )
        for row in rows
        if row.consortium_id in roles and only in (None, row.consortium_id)
    ]


def one_consortium(call: Call) -> Consortium:
    """The consortium as the caller's list shows it (the membership implies it)."""
    access = call.consortium
    with connection(call) as c:
        rows = consortia_of(c, call.caller.account.account_id)
    for row in rows:
        if row.consortium_id == access.cid:
            return Consortium(
                consortium=row,
                role=access.membership.role.value,
                partner_id=access.membership.partner_id,
            )
    raise NotFound("consortium", access.cid)


def partners(call: Call) -> list[PartnerRow]:
    with connection(call) as c:
        return partners_of(c, call.consortium.cid)


def _delivered(cid: str, rows: list[Any]) -> list[Delivered]:
    return [
        Delivered(contribution=r, evidence_url=evidence_url(cid, r.evidence))
        for r in rows
    ]


def commitments(call: Call) -> list[Any]:
    with connection(call) as c:
        return commitments_of(c, call.consortium.cid)


def one_commitment(call: Call) -> CommitmentDetail:
    cid = call.consortium.cid
    commitment_id = str(parse_uuid(call.path("commitment_id")))
    with connection(call) as c:
        row = commitment(c, cid, commitment_id)
        if row is None:
            raise NotFound("commitment", commitment_id)
        delivered = contributions_of(c, cid, commitment_id)
    return CommitmentDetail(commitment=row, contributions=_delivered(cid, delivered))


def contributions(call: Call) -> list[Delivered]:
    cid = call.consortium.cid
    with connection(call) as c:
        return _delivered(cid, contributions_of(c, cid))


def evidence_file(call: Call) -> Response:
    """A file of the consortium (evidence, minutes, a report's attachment)."""
    cid = call.consortium.cid
    sha256 = call.path("sha256")[:64]
    with connection(call) as c:
        found = contribution_with_evidence(c, cid, sha256)
        evidence = (
            found.evidence
            if found is not None
            else document_of(c, cid, sha256) or attachment_of(c, cid, sha256)
        )
    response = (
        file_response(
            stores(call.request).evidence,
            sha256,
            evidence.media_type,
            evidence.filename,
        )
        if evidence is not None
        else None
    )
    if response is None:
        raise NotFound("evidence", sha256)
    return response


def bodies(call: Call) -> Bodies:
    with connection(call) as c:
        return Bodies(bodies=bodies_of(c, call.consortium.cid))


def _proposal(row: ProposalRow) -> Proposal:
    return Proposal(
        proposal_id=row.proposal_id,
        body_id=row.body_id,
        kind=row.kind,
        title=row.title,
        text=row.text,
        options=list(row.options),
        mode=row.mode,
        closes_at=row.closes_at,
        meeting_on=row.meeting_on,
        outcome=row.outcome.value if row.outcome is not None else None,
        closed_at=row.closed_at,
        decided_on=row.decided_on,
        tabled_at=row.tabled_at,
        tabled_by=row.tabled_by,
        document=row.document,
    )


DECIDED_LIMIT = 500


def proposals(call: Call) -> list[Proposal]:
    """Open proposals, then the decisions (newest first)."""
    cid = call.consortium.cid
    with connection(call) as c:
        opened = open_proposals(c, cid)
        decided, _ = decision_log(c, cid, LogFilter(), limit=DECIDED_LIMIT)
    return [_proposal(r) for r in [*opened, *decided]]


def one_proposal(call: Call) -> ProposalDetail:
    cid = call.consortium.cid
    proposal_id = str(parse_uuid(call.path("proposal_id")))
    with connection(call) as c:
        row = proposal(c, cid, proposal_id)
        if row is None:
            raise NotFound("proposal", proposal_id)
        cast = votes_of(c, proposal_id)
    return ProposalDetail(proposal=_proposal(row), votes=cast)
