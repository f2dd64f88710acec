"""The consortium's history told in words, in the reader's language.

Each history row has a kind and the parameters a sentence needs; this module holds
one sentence per kind. Names of people come from the accounts store at render time
(personal data stays out of the event log).
"""

from __future__ import annotations

from datetime import date

from governance.values import (
    CapitalisationKind,
    ContributionKind,
    MemberRole,
    Paper,
    PartnerKind,
    PartnerRole,
    Phase,
    Unit,
)
from projections.history import HistoryEntry
from web.i18n import format_day, gettext_
from web.labels import N_, in_unit, label

SENTENCES: dict[str, str] = {
    "founded": N_("founded the consortium “%(name)s”"),
    "profile_revised": N_("revised the consortium's profile and call"),
    "phase_changed": N_("moved the consortium to “%(phase)s” on %(on)s"),
    "partner_joined": N_("admitted %(partner)s as %(role)s (%(kind)s), from %(on)s"),
    "partner_role_changed": N_("made %(partner)s %(role)s"),
    "partner_axis_changed": N_("set the axis of %(partner)s to “%(axis)s”"),
    "partner_paper_recorded": N_(
        "recorded for %(partner)s: %(paper)s, signed on %(on)s"
    ),
    "partner_paper_removed": N_("recorded that %(partner)s has no paper yet"),
    "partner_withdrew": N_(
        "recorded the withdrawal of %(partner)s on %(on)s: %(reason)s"
    ),
    "invitation_issued": N_("invited someone as %(role)s %(partner)s"),
    "invitation_cancelled": N_("cancelled an invitation"),
    "membership_granted": N_("gave %(person)s the role %(role)s %(partner)s"),
    "membership_accepted": N_("joined the consortium as %(role)s %(partner)s"),
    "membership_revoked": N_("removed %(person)s from the consortium"),
    "commitment_pledged": N_(
        "recorded a commitment of %(partner)s: %(kind)s, %(amount)s"
    ),
    "commitment_amended": N_(
        "amended a commitment of %(partner)s (%(kind)s) to %(amount)s: %(reason)s"
    ),
    "commitment_withdrawn": N_(
        "withdrew a commitment of %(partner)s (%(kind)s) on %(on)s: %(reason)s"
    ),
    "capitalisation_recorded": N_(
        "recorded in the capitalisation register: %(entry_kind)s “%(title)s”"
    ),
    "capitalisation_amended": N_(
        "amended the capitalisation entry “%(title)s”: %(reason)s"
    ),
    "capitalisation_withdrawn": N_(
        "withdrew the capitalisation entry “%(title)s”: %(reason)s"
    ),
    "personal_data_handled": N_(
        "declared that the project handles personal data, %(partner)s answering for data protection"
    ),
    "personal_data_no_partner": N_(
        "declared that the project handles personal data, with no partner named for data protection"
    ),
    "personal_data_not_handled": N_(
        "declared that the project handles no personal data"
    ),
    "beneficiaries_described": N_(
        "described how end beneficiaries are involved: %(description)s"
    ),
    "beneficiaries_cleared": N_(
        "removed the description of how end beneficiaries are involved"
    ),
    "contribution_delivered": N_(
        "recorded a delivery of %(partner)s (%(kind)s): %(amount)s on %(on)s"
    ),
}


def _param(key: str, value: object) -> str:
    if value is None or value == "":
        return ""
    if key == "phase":
        return label(Phase(value))
    if key == "role":
        try:
            return label(PartnerRole(value))
        except ValueError:
            return label(MemberRole(value))
    if key == "kind":
        try:
            return label(PartnerKind(value))
        except ValueError:
            return label(ContributionKind(value))
    if key == "paper":
        return label(Paper(value))
    if key == "entry_kind":
        return label(CapitalisationKind(value)).lower()
    if key == "on" and isinstance(value, str):
        return format_day(date.fromisoformat(value))
    return str(value)


def describe(entry: HistoryEntry, names: dict[str, str]) -> str:
    """What happened, as a sentence without its author (shown beside it)."""
    params = {k: _param(k, v) for k, v in entry.params.items()}
    if "unit" in entry.params:
        params["amount"] = in_unit(
            entry.params.get("amount"), Unit(entry.params["unit"])
        )
    if entry.kind in {"membership_granted", "membership_revoked"}:
        params["person"] = names.get(entry.subject_id or "", gettext_(N_("a person")))
    if params.get("partner") and entry.kind in {
        "invitation_issued",
        "membership_granted",
    }:
        params["partner"] = gettext_(N_("for %(partner)s")) % {
            "partner": params["partner"]
        }
    params.setdefault("partner", "")
    params.setdefault("on", "")
    kind = entry.kind
    if kind == "membership_granted" and entry.subject_id == entry.actor_id:
        kind = "membership_accepted"
    if kind == "partner_paper_recorded" and not entry.params.get("on"):
        kind = "partner_paper_removed"
    sentence = gettext_(SENTENCES.get(kind, N_("changed the consortium")))
    return (sentence % params).strip()


def author(entry: HistoryEntry, names: dict[str, str]) -> str:
    """Who did it ("the scheduler" for system events)."""
    if entry.actor_id.startswith("system:"):
        return gettext_(N_("The scheduler"))
    return names.get(entry.actor_id, gettext_(N_("A former member")))
