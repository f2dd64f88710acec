"""Chapter 3 (days 44 to 180): the governance bodies and their first votes, a proxy,
selection by the funder, a partner's withdrawal, the agreement signed with its
financing plan."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

from governance.financing.values import PlanVersionKind
from governance.values import MemberRole, Paper, Phase
from governance.voting import Majority, VotingRule
from web.ops.demo import budget
from web.ops.demo.story import Story


def tell(story: Story) -> None:
    """From the steering committee's first vote to the signed agreement."""
    g, cid, coordinator = story.governance, story.consortium_id, story.coordinator
    p = story.partners
    lead, fabrique, lab, numeria = p["lead"], p["fabrique"], p["lab"], p["numeria"]
    voisins, donnee = p["voisins"], p["donnee"]
    table, vote, on = story.table, story.vote, story.on

    copil = g.establish_body(
        coordinator,
        cid,
        name="Comité de pilotage (COPIL)",
        members={lead: 2, fabrique: 1, lab: 1, numeria: 1, voisins: 1},
        rule=VotingRule(Fraction(1, 2), False, Majority.SIMPLE, 15),
    ).id
    on(50)
    cotech = g.establish_body(
        coordinator,
        cid,
        name="Comité technique",
        members={lead: 1, fabrique: 1, lab: 1, numeria: 1, donnee: 1},
        rule=VotingRule(Fraction(2, 3), False, Majority.TWO_THIRDS, 0),
    ).id
    story.bodies.update(copil=copil, cotech=cotech)

    plan = table(
        61,
        copil,
        "Adoption du plan de financement",
        "Le COPIL adopte le plan de financement annexé à la candidature.",
    )
    vote(plan, "lead", lead, "for")
    vote(plan, "member", fabrique, "for")
    vote(plan, "lab", lab, "for", "Conforme au budget de l'université")
    vote(plan, "numeria", numeria, "abstain")
    story.close_due(68, plan)
    # The plan adopted, the application is filed with it the same day (the second
    # wave, closing on day 90: the call's reference says V2).
    budget.file(story, PlanVersionKind.APPLICATION)
    g.change_phase(coordinator, cid, Phase.APPLICATION_SUBMITTED, on(68))
    story.invite("pilot", MemberRole.PILOT_TEAM, None, 70)
    on(100)
    g.delegate_proxy(
        story.reps["voisins"],
        cid,
        from_partner=voisins,
        to_partner=fabrique,
        valid_from=story.clock.at.date(),
        valid_until=story.start + timedelta(days=500),
    )
    g.change_phase(coordinator, cid, Phase.SELECTED, on(120))
    story.invite("financer", MemberRole.FINANCER, None, 125)
    tool = table(
        127,
        cotech,
        "Choix de l'outil de prise de rendez-vous",
        "Deux solutions ont été comparées par le comité technique.",
        options=("Logiciel libre Agendas", "Service en ligne Rdv+"),
        meeting=True,
    )
    vote(tool, "lead", lead, "Logiciel libre Agendas")
    vote(tool, "member", fabrique, "Logiciel libre Agendas")
    vote(tool, "lab", lab, "Service en ligne Rdv+", "Plus simple à déployer")
    vote(tool, "lab", lab, "Logiciel libre Agendas", "Après démonstration")
    vote(tool, "numeria", numeria, "Logiciel libre Agendas")
    on(128)
    g.close_proposal(coordinator, tool)
    g.withdraw_partner(
        coordinator,
        cid,
        p["imprim"],
        on(130),
        "Cessation d'activité annoncée par le dirigeant.",
    )
    for partner_id, days in (
        (lead, 170),
        (fabrique, 172),
        (lab, 175),
        (numeria, 176),
    ):
        signed = on(days)
        g.record_paper(coordinator, cid, partner_id, Paper.CONVENTION_SIGNED, signed)
    # The plan as the funder signs it: one change asked for, then filed and locked.
    budget.adjust(story)
    on(180)
    budget.file(story, PlanVersionKind.CONVENTION)
    g.change_phase(coordinator, cid, Phase.AGREEMENT_SIGNED, on(180))
