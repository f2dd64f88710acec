"""Words of the financial report: the refusals of its commands and the names of
its sections, in the request's language.

Strings are marked with ``N_`` for Babel; ``labels.py`` merges
``FINANCIAL_REPORT_RULES`` into its table of rules, so every rule code is found
where the others are (and the tests that check them see these too). The sections
follow the French compte rendu financier of a subsidy (CERFA 15059).
"""

from __future__ import annotations

from web.i18n import N_

FINANCIAL_REPORT_RULES: dict[str, str] = {
    "financial_report.category_not_compared": N_(
        "Indirect costs are a flat rate: only direct costs are compared."
    ),
    "financial_report.explanation_required": N_("Explain the variance."),
    "financial_report.unchanged": N_("This explanation is recorded already."),
    "financial_report.signatory_required": N_(
        "Give the name of the person who certifies."
    ),
    "financial_report.capacity_required": N_(
        "Give the capacity they certify in (e.g. legal representative of the lead partner)."
    ),
    "financial_report.statements_waiting": N_(
        "Some expense statements of this report are not accepted by the funder yet: certify once they are."
    ),
    "financial_report.nothing_accepted": N_(
        "The funder has accepted no expense for this report yet: there is nothing to certify."
    ),
    "financial_report.variance_unexplained": N_(
        "Variances beyond the threshold are not explained yet (%(count)s): explain each before certifying."
    ),
    "financial_report.certified": N_(
        "This report is certified: it takes no more changes."
    ),
}

SECTIONS: dict[str, str] = {
    "identification": N_("1. The project and the grant"),
    "expenses": N_("2. Expenses: budget and realised by category"),
    "partners": N_("3. Expenses: budget and realised by partner"),
    "resources": N_("4. Resources: planned and received"),
    "variances": N_("5. Variances explained"),
    "certification": N_("6. Certification"),
}
"""The report's sections, in order, as the page and both exports title them."""
