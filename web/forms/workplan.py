"""The work plan's forms: a work package, a deliverable, a milestone, a milestone
reached, a review.

Shape only (required, lengths, dates); the plan's rules (a code taken, a package
unknown, a milestone reached in the future) are the domain's, which names the input
it refuses. Participants come as one checkbox per partner
(``participant-<partner id>``), since a form posts each name once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from web.forms.fields import Fields

PARTICIPANT = "participant-"


@dataclass(frozen=True)
class PackageForm:
    code: str
    title: str
    lead_id: str
    participants: tuple[str, ...]


@dataclass(frozen=True)
class DeliverableForm:
    package_id: str
    title: str
    due_on: date
    responsible_id: str


@dataclass(frozen=True)
class MilestoneForm:
    package_id: str
    title: str
    planned_on: date


def participant_field(partner_id: str) -> str:
    """The name of the checkbox saying a partner takes part in a package."""
    return PARTICIPANT + partner_id


def parse_package(data: Mapping[str, str]) -> PackageForm:
    """Parse the work package form; raises ``FormErrors``."""
    f = Fields(data)
    code = f.text("code", required=True, max_length=40)
    title = f.text("title", required=True)
    lead_id = f.text("lead_id", required=True, max_length=36)
    participants = tuple(
        name.removeprefix(PARTICIPANT)[:36]
        for name, value in data.items()
        if name.startswith(PARTICIPANT) and value
    )
    f.errors.raise_if_any()
    return PackageForm(code, title, lead_id, participants)


def parse_deliverable(data: Mapping[str, str]) -> DeliverableForm:
    """Parse the deliverable form; raises ``FormErrors``."""
    f = Fields(data)
    package_id = f.text("package_id", required=True, max_length=36)
    title = f.text("title", required=True)
    due_on = f.day("due_on", required=True)
    responsible_id = f.text("responsible_id", required=True, max_length=36)
    f.errors.raise_if_any()
    if due_on is None:
        raise f.errors
    return DeliverableForm(package_id, title, due_on, responsible_id)


def parse_milestone(data: Mapping[str, str]) -> MilestoneForm:
    """Parse the milestone form; raises ``FormErrors``."""
    f = Fields(data)
    package_id = f.text("package_id", required=True, max_length=36)
    title = f.text("title", required=True)
    planned_on = f.day("planned_on", required=True)
    f.errors.raise_if_any()
    if planned_on is None:
        raise f.errors
    return MilestoneForm(package_id, title, planned_on)


def parse_reached(data: Mapping[str, str]) -> tuple[date, str]:
    """Parse the milestone-reached form: the day and the note; raises
    ``FormErrors``."""
    f = Fields(data)
    reached_on = f.day("reached_on", required=True)
    note = f.text("note", max_length=4000, multiline=True)
    f.errors.raise_if_any()
    if reached_on is None:
        raise f.errors
    return reached_on, note
