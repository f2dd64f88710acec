"""The call's rules for one consortium: who may apply and lead, the budget's floor
and ceiling, the duration, the funding rules, the committee's date, the contact.

``CallForProjects`` (on the consortium) names the call and its closing dates; its
rules are an aggregate of their own (``CallRulebook``), recorded and changed by
events that never rewrite the consortium's.
"""
