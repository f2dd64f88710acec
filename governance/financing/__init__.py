"""The financing plan (plan de financement prévisionnel) of a consortium.

``values`` holds the words of the plan (cost categories, resource sources, the
call's funding rules, lines and versions); ``plan`` the ``FinancingPlan`` aggregate,
one per consortium; ``figures`` the pure arithmetic of a plan (totals, indirect
costs, the funder's rate); ``checks`` what a funder would frown at, in codes the web
turns into sentences. Expense statements, tranches and amendments come later and
build on the same values and versions.
"""
