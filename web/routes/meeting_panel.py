"""What the proposal page's vote panel adds for closing a vote and for the chair of
a meeting: who has not voted yet, and one ballot row per member partner."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from governance.permissions import Action
from projections.decisions.rows import ProxyRow
from web.routes.common import Access


def meeting_panel(
    context: dict[str, Any], proxies: Sequence[ProxyRow], access: Access
) -> dict[str, Any]:
    """``not_voted`` (names), ``may_record`` and, for the chair, ``ballot_rows``."""
    p = context["p"]
    names: dict[str, str] = context["partner_names"]
    voted = {v.partner_id for v in context["votes"]}
    may_record = (
        p.kind == "vote"
        and p.is_open
        and p.mode == "meeting"
        and access.can(Action.CLOSE_VOTE)
    )
    return {
        "not_voted": [names.get(x, "?") for x in p.members if x not in voted],
        "may_record": may_record,
        "ballot_rows": _ballot_rows(context, proxies) if may_record else [],
    }


def _ballot_rows(
    context: dict[str, Any], proxies: Sequence[ProxyRow]
) -> list[dict[str, Any]]:
    """One row per member partner: its vote so far, who may give it at the meeting
    (the partner itself, or the holder of a proxy valid on the meeting's day)."""
    p = context["p"]
    names: dict[str, str] = context["partner_names"]
    day = p.meeting_on
    # Who gave each partner's current vote: the partner itself, or the chair.
    last_kind: dict[str, str] = {}
    for step in context["steps"]:
        if step.kind in {"voted", "changed", "recorded_vote"}:
            last_kind[str(step.params.get("partner_id", ""))] = step.kind
    own = context["own_vote"]
    active = {a.partner_id for a in context["active_partners"]}
    rows = []
    for partner_id in p.members:
        holders = [
            x.to_partner
            for x in proxies
            if x.from_partner == partner_id
            and day is not None
            and x.valid_from <= day <= x.valid_until
            and x.to_partner in active
        ]
        vote = own.get(partner_id)
        rows.append(
            {
                "partner_id": partner_id,
                "name": names.get(partner_id, "?"),
                "self_voted": vote is not None
                and last_kind.get(partner_id) != "recorded_vote",
                "vote": vote,
                "through": [(partner_id, names.get(partner_id, "?"))]
                + [(h, names.get(h, "?")) for h in holders],
            }
        )
    return rows
