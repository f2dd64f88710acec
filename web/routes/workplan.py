"""The work plan: work packages with their deliverables and milestones, late items
told in words, and the coordinator's forms.

Coordinators define, change and withdraw work packages, plan deliverables and
milestones, and record a milestone reached; everyone in the consortium reads (a
financer too, refused any change: 403). A deliverable's own page, its submission and
review are in ``deliverables``. Forms work without JavaScript (POST, then 303); with
htmx a refused form comes back in place (422).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from governance.application import Created
from governance.financing.values import ExpenseLine
from governance.permissions import Action
from projections.budget import draft_of
from projections.partners import partners_of
from projections.workplan_queries import PackageRow, WorkPlanView, workplan_of
from web.auth import actor_of, form_endpoint, upload_endpoint
from web.forms.fields import FormErrors
from web.forms.workplan import (
    parse_deliverable,
    parse_milestone,
    parse_package,
    parse_reached,
    participant_field,
)
from web.htmx import render
from web.links import path_for
from web.request_state import clock
from web.routes.common import Access, consortium_access, parse_uuid, queries, stores
from web.routes.posting import run_command, saved_upload

SOON_DAYS = 30
"""A deliverable due within this many days is "due soon" on the page."""


def _context(request: Request, access: Access) -> dict[str, Any]:
    cid = str(access.consortium_id)
    with queries(request) as connection:
        plan: WorkPlanView = workplan_of(connection, cid)
        partners = partners_of(connection, cid)
        expenses = draft_of(connection, cid).expenses
    today = clock(request).now().date()
    names = {p.partner_id: p.name for p in partners}
    active = [p for p in partners if p.withdrawn_on is None]
    return {
        "access": access,
        "can": access.abilities,
        "consortium_id": cid,
        "plan": plan,
        "names": names,
        "active_partners": active,
        "partner_options": [(p.partner_id, p.name) for p in active],
        "package_options": [
            (p.package_id, f"{p.code} – {p.title}") for p in plan.packages
        ],
        "participant_field": participant_field,
        "participant_names": lambda p: ", ".join(
            names.get(x, "?") for x in p.participants
        ),
        "package_values": package_values,
        "planned": planned_by_code(expenses),
        "today": today,
        "soon_days": SOON_DAYS,
        "values": {},
        "errors": {},
        "error_params": {},
        "open_form": "",
    }


def planned_by_code(expenses: Sequence[ExpenseLine]) -> dict[str, Decimal]:
    """The direct expenses the financing plan's draft names each work package for,
    by its code (the plan's free-text ``work_package``, compared without case)."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in expenses:
        if line.work_package.strip():
            totals[line.work_package.strip().casefold()] += line.amount
    return dict(totals)


def package_values(package: PackageRow) -> dict[str, str]:
    """The change form of a package, filled with what it is now."""
    values = {"code": package.code, "title": package.title, "lead_id": package.lead_id}
    values.update({participant_field(x): "on" for x in package.participants})
    return values


def workplan_page(request: Request) -> Response:
    access = consortium_access(request)
    return render(
        request, "workplan/index.html", _context(request, access), block="workplan"
    )


def _refused(
    request: Request,
    access: Access,
    form: str,
    fields: dict[str, str],
    errors: FormErrors,
) -> Response:
    context = _context(request, access)
    context["values"] = {form: fields}
    context["errors"] = {form: errors.errors}
    context["error_params"] = {form: errors.params}
    context["open_form"] = form
    return render(
        request, "workplan/index.html", context, block="workplan", status_code=422
    )


def _post(
    request: Request,
    access: Access,
    form: str,
    fields: dict[str, str],
    command: Callable[[], int | Created | None],
) -> Response:
    """Run a command of the coordinator's; a refusal comes back on its form (422)."""
    access.require(Action.MANAGE_WORKPLAN)
    return run_command(
        request,
        command,
        refused=lambda errors: _refused(request, access, form, fields, errors),
        inputs=fields,
        then=path_for(request, "workplan:index", consortium_id=access.consortium_id),
    )


def _item_id(request: Request, name: str) -> str:
    # Ids are UUIDs; anything else is not an item of this plan (the domain says so).
    return str(parse_uuid(request.path_params[name], name))


@form_endpoint
def define_package(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)

    def command() -> Created:
        form = parse_package(fields)
        return stores(request).governance.define_work_package(
            actor_of(access.account),
            access.consortium_id,
            code=form.code,
            title=form.title,
            lead_id=form.lead_id,
            participants=form.participants,
        )

    return _post(request, access, "package", fields, command)


@form_endpoint
def change_package(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    package_id = _item_id(request, "package_id")

    def command() -> int | None:
        form = parse_package(fields)
        return stores(request).governance.change_work_package(
            actor_of(access.account),
            access.consortium_id,
            package_id,
            code=form.code,
            title=form.title,
            lead_id=form.lead_id,
            participants=form.participants,
        )

    return _post(request, access, f"package-{package_id}", fields, command)


@form_endpoint
def withdraw_package(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)
    package_id = _item_id(request, "package_id")
    return _post(
        request,
        access,
        f"package-{package_id}",
        fields,
        lambda: stores(request).governance.withdraw_work_package(
            actor_of(access.account), access.consortium_id, package_id
        ),
    )


@form_endpoint
def plan_deliverable(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)

    def command() -> Created:
        form = parse_deliverable(fields)
        return stores(request).governance.plan_deliverable(
            actor_of(access.account),
            access.consortium_id,
            package_id=form.package_id,
            title=form.title,
            due_on=form.due_on,
            responsible_id=form.responsible_id,
        )

    return _post(request, access, "deliverable", fields, command)


@form_endpoint
def plan_milestone(request: Request, fields: dict[str, str]) -> Response:
    access = consortium_access(request)

    def command() -> Created:
        form = parse_milestone(fields)
        return stores(request).governance.plan_milestone(
            actor_of(access.account),
            access.consortium_id,
            package_id=form.package_id,
            title=form.title,
            planned_on=form.planned_on,
        )

    return _post(request, access, "milestone", fields, command)


@upload_endpoint
def reach_milestone(
    request: Request, fields: dict[str, str], files: dict[str, Any]
) -> Response:
    access = consortium_access(request)
    milestone_id = _item_id(request, "milestone_id")

    def command() -> int:
        reached_on, note = parse_reached(fields)
        evidence = saved_upload(request, files, "evidence")
        return stores(request).governance.reach_milestone(
            actor_of(access.account),
            access.consortium_id,
            milestone_id,
            reached_on=reached_on,
            note=note,
            evidence=(evidence,) if evidence is not None else (),
        )

    return _post(request, access, f"milestone-{milestone_id}", fields, command)


WORKPLAN = "/consortia/{consortium_id}/workplan"
PACKAGE = WORKPLAN + "/packages/{package_id}"
routes = [
    Route(WORKPLAN, workplan_page, methods=["GET"], name="workplan:index"),
    Route(
        WORKPLAN + "/packages",
        define_package,
        methods=["POST"],
        name="workplan:package",
    ),
    Route(PACKAGE, change_package, methods=["POST"], name="workplan:change_package"),
    Route(
        PACKAGE + "/withdraw",
        withdraw_package,
        methods=["POST"],
        name="workplan:withdraw_package",
    ),
    Route(
        WORKPLAN + "/deliverables",
        plan_deliverable,
        methods=["POST"],
        name="workplan:plan_deliverable",
    ),
    Route(
        WORKPLAN + "/milestones",
        plan_milestone,
        methods=["POST"],
        name="workplan:milestone",
    ),
    Route(
        WORKPLAN + "/milestones/{milestone_id}/reached",
        reach_milestone,
        methods=["POST"],
        name="workplan:reach_milestone",
    ),
]
