"""The work plan of a consortium: work packages, deliverables and milestones.

``values`` holds its words (a deliverable's status, the plan's id); ``plan`` the
``WorkPlan`` aggregate, one per consortium. Work packages are known by a free-text
code ("WP1") that the financing plan's lines already use: the code is the link, so
nothing else changes shape.
"""
