"""Exports of the decision log: a CSV file and a PDF record to annex to a report.

Both list the decisions given (decided votes and decisions recorded from meetings),
in the order given, in the current language.

The PDF is ``decisions_pdf.py``'s.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from governance.voting import ABSTAIN, AGAINST, FOR, Tally, tally
from projections.decisions import ProposalRow, VoteRow
from web.exports.ledger import BOM, neutralise
from web.i18n import DISPLAY_ZONE, N_, gettext_
from web.i18n import pgettext_ as pgettext  # Babel extracts pgettext's context
from web.presentation.decisions import rule_sentence
from web.presentation.labels import label

# Columns of the CSV, in order.
DECISION_COLUMNS = (
    N_("Date"),
    N_("Body"),
    N_("Title"),
    N_("Kind"),
    N_("Outcome"),
    N_("For"),
    N_("Against"),
    N_("Abstain"),
    N_("Taking part"),
    N_("Members"),
    N_("Partners present"),
    N_("Rule"),
    N_("Text"),
)


# The default options of a vote, in words (other options are shown as written).
OPTION_WORDS = {FOR: N_("For"), AGAINST: N_("Against"), ABSTAIN: N_("Abstain")}


MEETING = "meeting"


@dataclass(frozen=True)
class DecisionRecord:
    """One decision as the exports show it, with the names they need."""

    decision: ProposalRow
    body_name: str
    votes: list[VoteRow]
    partner_names: dict[str, str]
    """Partner id → name, for voters and partners present (ids are the fallback)."""

    def name_of(self, partner_id: str) -> str:
        return self.partner_names.get(partner_id, partner_id)

    @property
    def is_meeting(self) -> bool:
        """A decision recorded from a meeting (no votes, partners present)."""
        return self.decision.kind == MEETING

    def tally(self) -> Tally | None:
        """The votes counted under the proposal's rule (None for a meeting)."""
        if self.is_meeting:
            return None
        decision = self.decision
        ballots = {vote.partner_id: vote.option for vote in self.votes}
        return tally(decision.rule, decision.members, ballots, decision.options)


def decision_day(decision: ProposalRow) -> date:
    """The decision's day: the meeting's, else the closing day in Paris time."""
    if decision.decided_on is not None:
        return decision.decided_on
    return (decision.closed_at or decision.tabled_at).astimezone(DISPLAY_ZONE).date()


def kind_words(decision: ProposalRow) -> str:
    """ "vote" or "meeting", in the current language."""
    if decision.kind == MEETING:
        return pgettext("decision kind", "meeting")
    return pgettext("decision kind", "vote")


def option_words(option: str) -> str:
    """A vote's option: the default ones translated, others as written."""
    words = OPTION_WORDS.get(option)
    return gettext_(words) if words is not None else option


def decision_row(record: DecisionRecord) -> list[str]:
    """One decision as CSV cells, text neutralised."""
    decision = record.decision
    counted = record.tally()
    present = [record.name_of(partner) for partner in decision.present]
    if counted is None:
        counts = ["", "", "", str(len(present)), ""]
        rule = ""
    else:
        counts = [
            str(counted.for_weight),
            str(counted.against_weight),
            str(counted.abstain_weight),
            str(counted.voted),
            str(counted.members),
        ]
        rule = rule_sentence(decision.rule)
    return [
        decision_day(decision).isoformat(),
        neutralise(record.body_name),
        neutralise(decision.title),
        neutralise(kind_words(decision)),
        neutralise(label(decision.outcome)),
        *counts,
        neutralise("; ".join(present)),
        neutralise(rule),
        neutralise(decision.text),
    ]


def decision_rows(records: list[DecisionRecord]) -> Iterator[list[str]]:
    """The header, then one row per decision, in the order given."""
    yield [neutralise(gettext_(message)) for message in DECISION_COLUMNS]
    for record in records:
        yield decision_row(record)


def decisions_csv(records: list[DecisionRecord]) -> Iterator[str]:
    """The decision log as CSV text (RFC 4180, ``\\r\\n``), line by line, after a BOM.

    The UTF-8 byte order mark comes alone as the first chunk, so that Excel reads
    accented letters correctly.
    """
    yield BOM
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in decision_rows(records):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
