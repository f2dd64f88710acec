"""The history of the consortium itself, its partners and its people."""

from __future__ import annotations

from sqlalchemy import Connection

from governance import events
from projections.base import Envelope, on
from projections.history.rows import HistoryRows, add_label


class PartnersHistory(HistoryRows):
    """Founding, profile, phases; partners joining, changing, withdrawing; people."""

    @on(events.ConsortiumFounded)
    def founded(
        self, connection: Connection, envelope: Envelope[events.ConsortiumFounded]
    ) -> None:
        self._add(connection, envelope, "founded", name=envelope.event.name)

    @on(events.ProfileRevised)
    def revised(
        self, connection: Connection, envelope: Envelope[events.ProfileRevised]
    ) -> None:
        self._add(connection, envelope, "profile_revised", name=envelope.event.name)

    @on(events.PhaseChanged)
    def phase_changed(
        self, connection: Connection, envelope: Envelope[events.PhaseChanged]
    ) -> None:
        e = envelope.event
        self._add(connection, envelope, "phase_changed", phase=e.phase, on=e.on)

    @on(events.PartnerJoined)
    def joined(
        self, connection: Connection, envelope: Envelope[events.PartnerJoined]
    ) -> None:
        e = envelope.event
        add_label(connection, envelope.originator_id, e.partner_id, e.name)
        self._add(
            connection,
            envelope,
            "partner_joined",
            e.partner_id,
            about_id=e.partner_id,
            partner=e.name,
            role=e.role,
            kind=e.kind,
            on=e.joined_on,
        )

    @on(events.PartnerRoleChanged)
    def role_changed(
        self, connection: Connection, envelope: Envelope[events.PartnerRoleChanged]
    ) -> None:
        e = envelope.event
        self._add_about_partner(
            connection,
            envelope,
            "partner_role_changed",
            role=e.role,
        )

    @on(events.PartnerAxisChanged)
    def axis_changed(
        self, connection: Connection, envelope: Envelope[events.PartnerAxisChanged]
    ) -> None:
        e = envelope.event
        self._add_about_partner(
            connection,
            envelope,
            "partner_axis_changed",
            axis=e.axis,
        )

    @on(events.PartnerPaperRecorded)
    def paper_recorded(
        self, connection: Connection, envelope: Envelope[events.PartnerPaperRecorded]
    ) -> None:
        e = envelope.event
        self._add_about_partner(
            connection,
            envelope,
            "partner_paper_recorded",
            paper=e.paper,
            on=e.signed_on,
        )

    @on(events.PartnerWithdrew)
    def withdrew(
        self, connection: Connection, envelope: Envelope[events.PartnerWithdrew]
    ) -> None:
        e = envelope.event
        self._add_about_partner(
            connection,
            envelope,
            "partner_withdrew",
            on=e.on,
            reason=e.reason,
        )

    @on(events.InvitationIssued)
    def invited(
        self, connection: Connection, envelope: Envelope[events.InvitationIssued]
    ) -> None:
        e = envelope.event
        partner = (
            self._label(connection, envelope, e.partner_id) if e.partner_id else ""
        )
        self._add(
            connection,
            envelope,
            "invitation_issued",
            e.invitation_id,
            about_id=e.invitation_id,
            role=e.role,
            partner=partner,
        )

    @on(events.InvitationCancelled)
    def invitation_cancelled(
        self, connection: Connection, envelope: Envelope[events.InvitationCancelled]
    ) -> None:
        invitation_id = envelope.event.invitation_id
        self._add(
            connection,
            envelope,
            "invitation_cancelled",
            invitation_id,
            about_id=invitation_id,
        )

    @on(events.MembershipGranted)
    def granted(
        self, connection: Connection, envelope: Envelope[events.MembershipGranted]
    ) -> None:
        e = envelope.event
        partner = (
            self._label(connection, envelope, e.partner_id) if e.partner_id else ""
        )
        self._add(
            connection,
            envelope,
            "membership_granted",
            e.account_id,
            about_id=e.account_id,
            role=e.role,
            partner=partner,
        )

    @on(events.MembershipRevoked)
    def revoked(
        self, connection: Connection, envelope: Envelope[events.MembershipRevoked]
    ) -> None:
        account_id = envelope.event.account_id
        self._add(
            connection, envelope, "membership_revoked", account_id, about_id=account_id
        )
