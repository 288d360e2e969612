"""Drill plans of the command center and the drills held under them.

The API key's department owns the plans it makes and records their drills (the
contract checks ownership: ``NotPlanOwner``, a 403). Marking a drill missed needs
any key.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from api.deps import DepartmentDep, LedgerDep, authenticated_department, resource_router
from api.errors import WRITE_PROBLEMS, creates, one, problem_responses, unknown_is_404
from api.models import (
    DrillPlanCreate,
    DrillPlanned,
    DrillPlanPublic,
    DrillPlansPublic,
    DrillRecord,
    DrillStep,
)
from api.params import PageDep, PolicyFilter, department_filter, id_path, matching
from ledger.mechanisms.fields import UINT32_MAX
from ledger.store import views

PlanId = Annotated[str, id_path("drill plan")]
router = resource_router("drills", unknown=unknown_is_404("PlanUnknown", "drill plan", "plan_id"))


@router.get("/plans", summary="List drill plans", responses=problem_responses(422))
def list_plans(
    ledger: LedgerDep,
    page: PageDep,
    policy_id: PolicyFilter,
    department_id: Annotated[str | None, Depends(department_filter("Only plans it owns."))],
) -> DrillPlansPublic:
    """Plans with each drill's due time and outcome (held, missed or open)."""
    rows = ledger.view(lambda lg: views.drill_plans(lg.store, department_id))
    return DrillPlansPublic.of(matching(rows, policyId=policy_id), page)


@router.get("/plans/{plan_id}", summary="One drill plan", responses=problem_responses(404))
def get_plan(plan_id: PlanId, ledger: LedgerDep) -> DrillPlanPublic:
    with ledger.read() as lg:
        row = one(views.drill_plans(lg.store), "planId", plan_id, "drill plan")
    return DrillPlanPublic.model_validate(row)


@creates(router, "/plans", "Plan drills")
def plan_drills(
    body: DrillPlanCreate, department: DepartmentDep, ledger: LedgerDep
) -> DrillPlanned:
    """Plan ``count`` drills owned by the API key's department under a clause in force."""
    ref = ledger.send(lambda lg: lg.drills.plan_drills(department, body))
    return DrillPlanned.landed(ref, plan_id=body.plan_id, owner_id=department)


@creates(router, "/plans/{plan_id}/drills", "Record a drill held", WRITE_PROBLEMS)
def record_drill(
    plan_id: PlanId, body: DrillRecord, department: DepartmentDep, ledger: LedgerDep
) -> DrillStep:
    """Record drill ``index`` as held by the plan's owner (the API key's department), no
    earlier than 7 days before it is due. Only the record's digest goes on chain."""
    ref = ledger.send(lambda lg: lg.drills.record_drill(department, plan_id, body))
    return DrillStep.landed(ref, plan_id=plan_id, index=body.index, status="held")


@router.post(
    "/plans/{plan_id}/drills/{index}/missed",
    summary="Mark a drill missed",
    responses=WRITE_PROBLEMS,
    dependencies=[Depends(authenticated_department)],
)
def mark_missed(
    plan_id: PlanId,
    index: Annotated[int, Path(ge=0, le=UINT32_MAX, description="0-based drill index.")],
    ledger: LedgerDep,
) -> DrillStep:
    """Mark a drill missed once more than 7 days passed since it was due unrecorded. Any key."""
    ref = ledger.send(lambda lg: lg.drills.mark_drill_missed(plan_id, index))
    return DrillStep.landed(ref, plan_id=plan_id, index=index, status="missed")
