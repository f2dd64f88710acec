"""The demo's work plan: three work packages (the financing plan's lots), their
deliverables and milestones, as the coordinator records them at the end of the
year.

Told after every other chapter, at the end of the story's last day (its clock never
goes back, nor on: no new day, so the reminders already sent stay the same and every
earlier event is as it was). The codes are the lots the financing plan's lines
name. One deliverable is accepted by the financer after a first version was sent
back, one is due in ten days, one is late; the launch milestone is reached, with
the minutes of the steering committee as evidence.
"""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

from web.ops.demo.budget import COORDINATION, EVALUATION, MEDIATION
from web.ops.demo.pdf import demo_pdf
from web.ops.demo.story import Story, at

LAST_DAY, LAST_HOUR = 358, 21
"""The story's last day, and an hour after its last move (a vote at 20:00)."""


def tell(story: Story) -> None:
    """Define the work packages, plan and review deliverables, reach a milestone."""
    governance, cid, p = story.governance, story.consortium_id, story.partners
    coordinator, financer = story.coordinator, story.actor("financer")
    today = story.start + timedelta(days=365)
    # Told last: after the story's last day, or after whatever chapter came last.
    evening = max(
        at(story.start + timedelta(days=LAST_DAY), LAST_HOUR),
        story.clock.at + timedelta(minutes=1),
    )
    story.clock.at = evening

    def package(code: str, title: str, lead: str, *others: str) -> str:
        return governance.define_work_package(
            coordinator,
            cid,
            code=code,
            title=title,
            lead_id=p[lead],
            participants=[p[o] for o in others],
        ).id

    def deliverable(package_id: str, title: str, due_on: date, partner: str) -> str:
        return governance.plan_deliverable(
            coordinator,
            cid,
            package_id=package_id,
            title=title,
            due_on=due_on,
            responsible_id=p[partner],
        ).id

    coordination = package(
        COORDINATION, "Pilotage du projet et animation du partenariat", "lead"
    )
    mediation = package(
        MEDIATION,
        "Permanences et ateliers de médiation numérique",
        "fabrique",
        "voisins",
        "lead",
    )
    evaluation = package(
        EVALUATION, "Évaluation de l'impact sur l'accès aux droits", "lab", "lead"
    )
    progress = deliverable(
        coordination,
        "Rapport d'avancement de la première année",
        story.start + timedelta(days=360),
        "lead",
    )
    deliverable(
        mediation,
        "Guide des permanences itinérantes",
        today + timedelta(days=10),
        "fabrique",
    )
    deliverable(
        evaluation,
        "Protocole d'enquête auprès des publics",
        story.start + timedelta(days=340),
        "lab",
    )
    launch = governance.plan_milestone(
        coordinator,
        cid,
        package_id=coordination,
        title="Comité de pilotage de lancement",
        planned_on=story.start + timedelta(days=30),
    ).id
    governance.plan_milestone(
        coordinator,
        cid,
        package_id=mediation,
        title="Dix communes couvertes par les permanences",
        planned_on=today + timedelta(days=60),
    )
    minutes = story.stores.evidence.save(
        BytesIO(demo_pdf("Relevé de décisions du COPIL de lancement")),
        "copil-lancement.pdf",
    )
    governance.reach_milestone(
        coordinator,
        cid,
        launch,
        reached_on=story.start + timedelta(days=32),
        note="Tous les partenaires présents ; feuille de route adoptée.",
        evidence=(minutes,),
    )

    def handed_in(version: str) -> None:
        file = story.stores.evidence.save(
            BytesIO(demo_pdf(f"Rapport d'avancement, {version}")),
            f"rapport-avancement-{version}.pdf",
        )
        governance.submit_deliverable(coordinator, cid, progress, file, version)

    handed_in("v1")
    story.clock.at = evening + timedelta(minutes=10)
    governance.request_deliverable_changes(
        financer,
        cid,
        progress,
        "Ajoutez la répartition des dépenses par axe.",
    )
    story.clock.at = evening + timedelta(minutes=20)
    handed_in("v2")
    story.clock.at = evening + timedelta(minutes=30)
    governance.accept_deliverable(financer, cid, progress, "Merci, complet.")
