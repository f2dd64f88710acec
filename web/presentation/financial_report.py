"""A financial report in words and rows: what its page, its PDF and its workbook
show, section by section (the French compte rendu financier, CERFA 15059).

1. the project and the grant (consortium, call, funder, period, plan compared);
2. expenses by category: budget, realised (accepted), variance, with the
   variances beyond the threshold marked; 3. the same by partner; 4. resources:
   planned and received by source; 5. the variances explained (the coordinator's
   words), and how indirect costs are counted; 6. the certification: who certified,
   in which capacity, when, or that it is not certified yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from governance.financing.report_values import Variance
from governance.financing.values import HUNDRED, CostCategory, to_cents
from projections.consortia import ConsortiumDetails
from projections.financial_report_summary import FinancialReportView
from web.i18n import (
    N_,
    format_day,
    format_moment,
    format_money,
    format_rate,
    gettext_,
)
from web.presentation.labels import label


@dataclass(frozen=True)
class VarianceRow:
    """One line of a budget-against-realised table, named."""

    key: str
    name: str
    budget: Decimal
    realised: Decimal
    variance: Decimal
    rate: Decimal | None
    significant: bool
    explanation: str


@dataclass(frozen=True)
class LineRow:
    """An accepted expense line, in words, for the workbook's second sheet."""

    period: str
    partner: str
    spent_on: date
    category: str
    label: str
    supplier: str
    invoice: str
    amount: Decimal


@dataclass(frozen=True)
class ResourceWords:
    """A source of the resources side, named: planned, and received if known."""

    name: str
    planned: Decimal
    received: Decimal | None


@dataclass(frozen=True)
class ReportDocument:
    """Everything a financial report shows, in the reader's language."""

    consortium_name: str
    details: ConsortiumDetails | None
    view: FinancialReportView

    @property
    def title(self) -> str:
        if self.view.final:
            return gettext_(N_("Final financial report"))
        obligation = self.view.obligation
        title = obligation.title if obligation else ""
        return gettext_(N_("Financial report: %(title)s")) % {"title": title}

    @property
    def period_text(self) -> str:
        """The period covered, in words."""
        view = self.view
        if view.final:
            starts = [o.period_start for o in view.periods if o.period_start]
            ends = [o.period_end for o in view.periods if o.period_end]
            if not starts or not ends:
                return gettext_(N_("Every reporting period"))
            return f"{format_day(min(starts))} – {format_day(max(ends))}"
        o = view.obligation
        if o is None or o.period_start is None or o.period_end is None:
            return gettext_(N_("The whole project"))
        return f"{format_day(o.period_start)} – {format_day(o.period_end)}"

    @property
    def basis(self) -> str:
        """What the budget compared is, in one sentence."""
        view = self.view
        version = (
            gettext_(N_("version %(number)s of the financing plan"))
            % {"number": view.plan_version}
            if view.plan_version
            else gettext_(N_("the draft financing plan"))
        )
        if view.final or view.figures.share == 1:
            return gettext_(N_("Budget: %(plan)s, in full (direct costs).")) % {
                "plan": version
            }
        return gettext_(
            N_(
                "Budget: %(plan)s, pro rata temporis: this period is %(share)s of "
                "the eligible period (direct costs)."
            )
        ) % {
            "plan": version,
            "share": format_rate(to_cents(view.figures.share * HUNDRED)),
        }

    @property
    def threshold_text(self) -> str:
        return gettext_(
            N_(
                "A variance beyond %(threshold)s of the budget is explained below "
                "(the share the convention lets a partner move between categories)."
            )
        ) % {"threshold": format_rate(self.view.figures.threshold)}

    @property
    def identification(self) -> list[tuple[str, str]]:
        """Section 1 as (key, value) pairs."""
        call = self.details.call if self.details else None
        return [
            (gettext_(N_("Consortium")), self.consortium_name),
            (gettext_(N_("Call for projects")), call.name if call else ""),
            (gettext_(N_("Funder")), call.funder if call else ""),
            (gettext_(N_("Reference")), call.reference if call else ""),
            (gettext_(N_("Report")), self.title),
            (gettext_(N_("Period")), self.period_text),
        ]

    def _row(self, v: Variance, name: str, explanation: str = "") -> VarianceRow:
        return VarianceRow(
            v.key,
            name,
            v.budget,
            v.realised,
            v.variance,
            v.rate,
            v.significant,
            explanation,
        )

    @property
    def by_category(self) -> list[VarianceRow]:
        words = self.view.explanations
        return [
            self._row(v, label(CostCategory(v.key)), words.get(v.key, ""))
            for v in self.view.figures.by_category
        ]

    @property
    def by_partner(self) -> list[VarianceRow]:
        names = self.view.names
        return [
            self._row(v, names.get(v.key, "?")) for v in self.view.figures.by_partner
        ]

    @property
    def total(self) -> VarianceRow:
        return self._row(self.view.figures.total, gettext_(N_("Total")))

    @property
    def resources(self) -> list[ResourceWords]:
        """Section 4: each source, then the total (received: what is known)."""
        rows = [
            ResourceWords(label(r.source), r.planned, r.received)
            for r in self.view.resources
        ]
        known = [r.received for r in rows if r.received is not None]
        rows.append(
            ResourceWords(
                gettext_(N_("Total")),
                sum((r.planned for r in rows), Decimal(0)),
                sum(known, Decimal(0)) if known else None,
            )
        )
        return rows

    @property
    def to_explain(self) -> list[VarianceRow]:
        """The categories whose variance is beyond the threshold."""
        return [r for r in self.by_category if r.significant]

    @property
    def indirect_text(self) -> str:
        rules = self.view.plan.rules
        if rules.indirect_rate is None:
            return gettext_(N_("The call pays no indirect costs."))
        return gettext_(
            N_(
                "Indirect costs are a flat rate of %(rate)s of %(base)s: they are "
                "not declared line by line, so they are not compared here."
            )
        ) % {
            "rate": format_rate(rules.indirect_rate),
            "base": label(rules.indirect_base).lower(),
        }

    @property
    def certification_text(self) -> str:
        """Section 6 in one sentence."""
        record = self.view.record
        c = record.certification if record else None
        if c is None:
            return gettext_(N_("Not certified yet."))
        return gettext_(
            N_(
                "I, the undersigned %(signatory)s, %(capacity)s, certify that the "
                "information in this financial report is accurate. Certified on "
                "%(moment)s, for %(realised)s of accepted expenses."
            )
        ) % {
            "signatory": c.signatory,
            "capacity": c.capacity,
            "moment": format_moment(c.certified_at, "long"),
            "realised": format_money(c.realised),
        }

    @property
    def lines(self) -> list[LineRow]:
        titles = {o.obligation_id: o.title for o in self.view.periods}
        names = self.view.names
        return [
            LineRow(
                titles.get(a.obligation_id, ""),
                names.get(a.partner_id, "?"),
                a.row.line.spent_on,
                label(a.row.line.category),
                a.row.line.label,
                a.row.line.supplier,
                a.row.line.invoice_number,
                a.row.line.eligible,
            )
            for a in self.view.accepted
        ]
