"""Words of daily use (issue 17): a meeting's votes recorded by its chair, a closing
confirmed, measurements corrected or withdrawn.

``labels.py`` merges ``DAILY_RULES`` into its refusals and ``history.py`` merges
``DAILY_SENTENCES``, as for the amendments' words.
"""

from __future__ import annotations

from web.i18n import N_

DAILY_RULES: dict[str, str] = {
    "ballot.not_a_meeting": N_(
        "Only the votes of a meeting are recorded by the chair; in a written "
        "procedure each partner votes for itself."
    ),
    "ballot.none_given": N_("Choose the vote of at least one partner."),
    "ballot.twice": N_("A partner votes once."),
    "ballot.cast_by_the_partner": N_(
        "This partner has voted itself: its vote stays as it gave it."
    ),
    "ballot.not_represented": N_(
        "This partner was neither present nor represented by a proxy valid on the "
        "day of the meeting."
    ),
    "vote.confirm_close": N_(
        "Closing the vote cannot be undone: tick the box to confirm."
    ),
    "measurement.reason_required": N_("Say why the value changes."),
    "measurement.unchanged": N_(
        "Nothing changed: give the right value, date or source."
    ),
    "measurement.withdrawn": N_("This value was withdrawn already."),
    "plausibility.far_from_target": N_(
        "%(value)s %(unit)s is more than three times as far from the baseline as "
        "the target (from %(baseline)s to %(target)s): an extra zero or a misplaced "
        "decimal point? Check it; if it is right, tick the box below and record it."
    ),
    "plausibility.jump": N_(
        "%(value)s %(unit)s differs from the previous value (%(previous)s on "
        "%(on)s) by more than twice the whole change planned from %(baseline)s to "
        "%(target)s. Check it; if it is right, tick the box below and record it."
    ),
}

DAILY_SENTENCES: dict[str, str] = {
    "vote_recorded": N_(
        "recorded the vote of %(partner)s, present at the meeting, on “%(title)s”: "
        "“%(option)s”"
    ),
    "vote_recorded_by_proxy": N_(
        "recorded the vote of %(partner)s on “%(title)s”, given through its proxy "
        "%(through)s at the meeting: “%(option)s”"
    ),
    "measurement_corrected": N_(
        "corrected a value of “%(title)s” to %(value)s on %(on)s (%(source)s): "
        "%(reason)s"
    ),
    "measurement_withdrawn": N_("withdrew a value of “%(title)s”: %(reason)s"),
}
