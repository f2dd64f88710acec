"""What a consortium says of itself: its profile, its phase, its readiness settings.

Commands validate and raise, then call the method that applies their event: those
``_``-methods only assign, and ``Consortium`` binds each one to its event class.
"""

from __future__ import annotations

from datetime import date

from governance.consortium.partners import Partners
from governance.errors import RuleViolated
from governance.rules import check_phase_transition, needs_lead_partner
from governance.values import CallForProjects, Phase


class Profile(Partners):
    """Revising the profile, moving through phases, declaring readiness settings."""

    def revise_profile(
        self,
        *,
        name: str,
        acronym: str,
        summary: str,
        territory: str,
        call: CallForProjects,
    ) -> None:
        """Change the consortium's name, description or call."""
        if not name.strip():
            raise RuleViolated("consortium.name_required")
        self._revise(
            name.strip(), acronym.strip(), summary.strip(), territory.strip(), call
        )

    def _revise(
        self,
        name: str,
        acronym: str,
        summary: str,
        territory: str,
        call: CallForProjects,
    ) -> None:
        self.name, self.acronym, self.summary = name, acronym, summary
        self.territory, self.call = territory, call

    def change_phase(self, phase: Phase, on: date) -> None:
        """Move the project to its next phase on the given date."""
        check_phase_transition(self.phase, phase)
        if on < self.phase_since:
            raise RuleViolated("phase.date_before_previous", previous=self.phase_since)
        if needs_lead_partner(phase) and len(self._leads()) != 1:
            raise RuleViolated("phase.needs_one_lead_partner")
        self._change_phase(phase, on)

    def require_open_for_commitments(self) -> None:
        """Refuse a new commitment once the project is closed.

        A closed project keeps its record readable and exportable, and still takes
        its capitalisation and final reports; it makes no new promises or decisions.
        """
        if self.phase is Phase.CLOSED:
            raise RuleViolated("commitment.consortium_closed")

    def require_open_for_proposals(self) -> None:
        """Refuse a new proposal or meeting decision once the project is closed."""
        if self.phase is Phase.CLOSED:
            raise RuleViolated("proposal.consortium_closed")

    def _change_phase(self, phase: Phase, on: date) -> None:
        self.phase = phase
        self.phase_since = on

    # -- readiness settings -----------------------------------------------------------

    def declare_personal_data(
        self, handles_personal_data: bool, data_protection_partner_id: str | None
    ) -> None:
        """Say whether the project handles personal data, and who answers for it.

        The partner named is the one competent in data protection (its DPO, its
        GDPR expertise): an explicit choice, not a guess from free text.
        """
        if data_protection_partner_id is not None:
            self._active_partner(data_protection_partner_id)
        if (self.handles_personal_data, self.data_protection_partner_id) == (
            handles_personal_data,
            data_protection_partner_id,
        ):
            raise RuleViolated("readiness.unchanged")
        self._declare_personal_data(
            handles_personal_data=handles_personal_data,
            data_protection_partner_id=data_protection_partner_id,
        )

    def _declare_personal_data(
        self, handles_personal_data: bool, data_protection_partner_id: str | None
    ) -> None:
        self.handles_personal_data = handles_personal_data
        self.data_protection_partner_id = data_protection_partner_id

    def describe_beneficiary_involvement(self, description: str) -> None:
        """Say how the end beneficiaries take part ("" clears it)."""
        if description.strip() == self.beneficiary_involvement:
            raise RuleViolated("readiness.unchanged")
        self._describe_involvement(description=description.strip())

    def _describe_involvement(self, description: str) -> None:
        self.beneficiary_involvement = description
