"""The history of the funder's grant: set up with its tranches, each payment with
what released it (the signed convention, or the accepted report and statements),
each recovery with its reason.

The grant is an aggregate of its own: its rows go to its consortium's history (its
owner, recorded when it is set up).
"""

from __future__ import annotations

from sqlalchemy import Connection

from governance import events
from governance.financing.grant_values import TrancheCondition
from projections.base import Envelope, on
from projections.history.money_reminders import keep_tranches
from projections.history.rows import HistoryRows


class FundingHistory(HistoryRows):
    """Each event of a grant, in its consortium's history."""

    @on(events.GrantSet)
    def grant_set(
        self, connection: Connection, envelope: Envelope[events.GrantSet]
    ) -> None:
        event = envelope.event
        self._own(connection, envelope, event.consortium_id, "")
        keep_tranches(connection, envelope)
        self._add(
            connection,
            envelope,
            "grant_set",
            consortium_id=event.consortium_id,
            euros=str(event.terms.amount),
            rate=str(event.terms.rate),
        )

    @on(events.PaymentRecorded)
    def payment_recorded(
        self, connection: Connection, envelope: Envelope[events.PaymentRecorded]
    ) -> None:
        payment = envelope.event.payment
        release = payment.release
        consortium_id, _ = self._owner(connection, envelope.originator_id)
        signed = release.condition is TrancheCondition.CONVENTION_SIGNED
        self._add(
            connection,
            envelope,
            "payment_at_signature" if signed else "payment_on_report",
            consortium_id=consortium_id,
            euros=str(payment.amount),
            on=payment.paid_on.isoformat(),
            report=release.report_title,
            expenses=str(release.accepted_in_report),
        )

    @on(events.RecoveryRecorded)
    def recovery_recorded(
        self, connection: Connection, envelope: Envelope[events.RecoveryRecorded]
    ) -> None:
        recovery = envelope.event.recovery
        consortium_id, _ = self._owner(connection, envelope.originator_id)
        self._add(
            connection,
            envelope,
            "recovery_recorded",
            consortium_id=consortium_id,
            euros=str(recovery.amount),
            on=recovery.recovered_on.isoformat(),
            expenses=str(recovery.accepted_expenses),
            reason=recovery.reason,
        )
