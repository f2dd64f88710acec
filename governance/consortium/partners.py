"""The organisations of a consortium: admitted, changed, withdrawn.

Commands validate and raise, then call the method that applies their event: those
``_``-methods only assign, and ``Consortium`` binds each one to its event class.
"""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from governance.consortium.entities import ConsortiumState, Partner
from governance.errors import NotFound, RuleViolated
from governance.rules import needs_lead_partner
from governance.values import (
    AuthorityLevel,
    Paper,
    PartnerIdentity,
    PartnerKind,
    PartnerRole,
    is_valid_rna,
    is_valid_siret,
)


class Partners(ConsortiumState):
    """Admitting, changing and withdrawing partners; "exactly one lead" lives here."""

    def admit_partner(
        self,
        identity: PartnerIdentity,
        *,
        role: PartnerRole,
        axis: str,
        paper: Paper,
        paper_signed_on: date | None,
        joined_on: date,
        partner_id: str | None = None,
    ) -> str:
        """Admit an organisation; returns its partner id."""
        self._check_identity(identity)
        self._check_paper(paper, paper_signed_on)
        if role is PartnerRole.LEAD and self._leads():
            raise RuleViolated("partner.lead_already_exists", field="role")
        new_id = partner_id or str(uuid4())
        if new_id in self.partners:
            raise RuleViolated("partner.duplicate_id")
        self._join(
            partner_id=new_id,
            name=identity.name.strip(),
            kind=identity.kind,
            authority_level=identity.authority_level,
            siret=identity.siret,
            rna=identity.rna,
            role=role,
            axis=axis.strip(),
            paper=paper,
            paper_signed_on=paper_signed_on,
            joined_on=joined_on,
        )
        return new_id

    def _join(
        self,
        partner_id: str,
        name: str,
        kind: PartnerKind,
        authority_level: AuthorityLevel | None,
        siret: str,
        rna: str,
        role: PartnerRole,
        axis: str,
        paper: Paper,
        paper_signed_on: date | None,
        joined_on: date,
    ) -> None:
        self.partners[partner_id] = Partner(
            partner_id,
            name,
            kind,
            authority_level,
            siret,
            rna,
            role,
            axis,
            paper,
            paper_signed_on,
            joined_on,
        )

    def change_partner_role(self, partner_id: str, role: PartnerRole) -> None:
        """Change a partner's role; making a partner lead hands the lead over."""
        partner = self._active_partner(partner_id)
        if partner.role is role:
            raise RuleViolated("partner.role_unchanged")
        if partner.role is PartnerRole.LEAD and needs_lead_partner(self.phase):
            raise RuleViolated("partner.lead_must_be_handed_over")
        if role is PartnerRole.LEAD:
            for lead in self._leads():
                self._change_role(partner_id=lead.partner_id, role=PartnerRole.PARTNER)
        self._change_role(partner_id=partner_id, role=role)

    def _change_role(self, partner_id: str, role: PartnerRole) -> None:
        self.partners[partner_id].role = role

    def change_partner_axis(self, partner_id: str, axis: str) -> None:
        """Change the axis of the project a partner carries."""
        partner = self._active_partner(partner_id)
        if partner.axis == axis.strip():
            raise RuleViolated("partner.axis_unchanged")
        self._change_axis(partner_id=partner_id, axis=axis.strip())

    def _change_axis(self, partner_id: str, axis: str) -> None:
        self.partners[partner_id].axis = axis

    def record_paper(
        self, partner_id: str, paper: Paper, signed_on: date | None
    ) -> None:
        """Record a partner's letter of commitment or signed convention."""
        partner = self._active_partner(partner_id)
        self._check_paper(paper, signed_on)
        if (partner.paper, partner.paper_signed_on) == (paper, signed_on):
            raise RuleViolated("partner.paper_unchanged")
        self._record_paper(partner_id=partner_id, paper=paper, signed_on=signed_on)

    def _record_paper(
        self, partner_id: str, paper: Paper, signed_on: date | None
    ) -> None:
        self.partners[partner_id].paper = paper
        self.partners[partner_id].paper_signed_on = signed_on

    def withdraw_partner(self, partner_id: str, on: date, reason: str) -> None:
        """Record a partner's withdrawal; it keeps its history."""
        partner = self._active_partner(partner_id)
        if not reason.strip():
            raise RuleViolated("partner.withdrawal_reason_required")
        if on < partner.joined_on:
            raise RuleViolated(
                "partner.withdrawal_before_joining", joined_on=partner.joined_on
            )
        if partner.role is PartnerRole.LEAD and needs_lead_partner(self.phase):
            raise RuleViolated("partner.lead_must_be_handed_over")
        self._withdraw(partner_id=partner_id, on=on, reason=reason.strip())

    def _withdraw(self, partner_id: str, on: date, reason: str) -> None:
        self.partners[partner_id].withdrawn_on = on
        self.partners[partner_id].withdrawal_reason = reason

    # -- queries and invariants -------------------------------------------------------

    def is_active_partner(self, partner_id: str) -> bool:
        """Whether the partner exists and has not withdrawn."""
        partner = self.partners.get(partner_id)
        return partner is not None and partner.active

    def _leads(self) -> list[Partner]:
        return [
            p for p in self.partners.values() if p.active and p.role is PartnerRole.LEAD
        ]

    def _active_partner(self, partner_id: str, *, field: str | None = None) -> Partner:
        """The partner, active; ``field`` names the input that chose it, if one did."""
        partner = self.partners.get(partner_id)
        if partner is None:
            raise NotFound("partner", partner_id)
        if not partner.active:
            raise RuleViolated("partner.withdrawn", field=field, name=partner.name)
        return partner

    def _check_identity(self, identity: PartnerIdentity) -> None:
        if not identity.name.strip():
            raise RuleViolated("partner.name_required")
        if identity.siret and not is_valid_siret(identity.siret):
            raise RuleViolated("partner.siret_invalid", field="siret")
        if identity.rna and not is_valid_rna(identity.rna):
            raise RuleViolated("partner.rna_invalid", field="rna")
        is_authority = identity.kind is PartnerKind.LOCAL_AUTHORITY
        if is_authority != (identity.authority_level is not None):
            raise RuleViolated(
                "partner.authority_level_mismatch", field="authority_level"
            )
        for other in self.partners.values():
            if not other.active:
                continue
            if identity.siret and other.siret == identity.siret:
                raise RuleViolated(
                    "partner.siret_taken", field="siret", name=other.name
                )
            if identity.rna and other.rna == identity.rna:
                raise RuleViolated("partner.rna_taken", field="rna", name=other.name)

    @staticmethod
    def _check_paper(paper: Paper, signed_on: date | None) -> None:
        if paper is Paper.NONE and signed_on is not None:
            raise RuleViolated(
                "partner.paper_date_without_paper", field="paper_signed_on"
            )
        if paper is not Paper.NONE and signed_on is None:
            raise RuleViolated("partner.paper_date_required", field="paper_signed_on")
