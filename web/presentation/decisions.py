"""Votes told in words: the tally and the rule applied, in the reader's language."""

from __future__ import annotations

from governance.voting import Tally, VotingRule
from web.i18n import N_, format_portion, gettext_, ngettext_
from web.presentation.labels import label


def rule_sentence(rule: VotingRule) -> str:
    """ "quorum 50 % of members, two-thirds majority of votes cast, veto 15 days" """
    basis = (
        gettext_(N_("of weights"))
        if rule.quorum_by_weight
        else gettext_(N_("of members"))
    )
    parts = [
        gettext_(N_("quorum %(share)s %(basis)s"))
        % {"share": format_portion(rule.share), "basis": basis},
        label(rule.majority),
    ]
    if rule.veto_days:
        parts.append(
            ngettext_(
                "veto window of %(num)d day",
                "veto window of %(num)d days",
                rule.veto_days,
            )
            % {"num": rule.veto_days}
        )
    return ", ".join(parts)


def tally_sentence(tally: Tally, rule: VotingRule, *, closed: bool) -> str:
    """ "adopted: 5 of 7 partners voted (quorum 50 %), 4 for, 1 against, …" """
    counts = gettext_(
        N_(
            "%(voted)s of %(members)s partners voted (quorum %(quorum)s), "
            "%(for)s for, %(against)s against, %(abstain)s abstaining"
        )
    ) % {
        "voted": tally.voted,
        "members": tally.members,
        "quorum": format_portion(rule.share),
        "for": tally.for_weight,
        "against": tally.against_weight,
        "abstain": tally.abstain_weight,
    }
    if not tally.quorum_reached:
        verdict = gettext_(N_("quorum not reached"))
    elif tally.majority_reached:
        verdict = gettext_(N_("%(majority)s reached")) % {
            "majority": label(rule.majority)
        }
    else:
        verdict = gettext_(N_("%(majority)s not reached")) % {
            "majority": label(rule.majority)
        }
    head = label(tally.outcome) if closed else gettext_(N_("So far"))
    # A pattern, not an f-string: French puts a non-breaking space before : and ;.
    return gettext_(N_("%(head)s: %(counts)s; %(verdict)s.")) % {
        "head": head,
        "counts": counts,
        "verdict": verdict,
    }


__all__ = ["rule_sentence", "tally_sentence"]
