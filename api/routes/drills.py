"""Drill plans of the command center and the drills held under them.

The API key's department owns the plans it makes and records their drills (the
contract checks ownership: ``NotPlanOwner``, a 403). Marking a drill missed needs
any key.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, status

from api.deps import DepartmentDep, LedgerDep, ReadAccess, authenticated_department
from api.errors import one, problem_responses, unknown_is_404
from api.models import (
    DrillPlanCreate,
    DrillPlanned,
    DrillPlanPublic,
    DrillPlansPublic,
    DrillRecord,
    DrillStep,
)
from ledger.mechanisms.fields import UINT32_MAX
from ledger.store import views

router = APIRouter(
    prefix="/drills",
    tags=["drills"],
    dependencies=[ReadAccess, unknown_is_404("PlanUnknown", "drill plan", "plan_id")],
)

_WRITE_PROBLEMS = problem_responses(401, 403, 404, 409, 422)


@router.get("/plans", summary="List drill plans")
def list_plans(ledger: LedgerDep) -> DrillPlansPublic:
    """Every plan with each drill's due time and outcome (held, missed or open)."""
    with ledger.read() as lg:
        rows = views.drill_plans(lg.store)
    data = [DrillPlanPublic.model_validate(row) for row in rows]
    return DrillPlansPublic(data=data, count=len(data))


@router.get("/plans/{plan_id}", summary="One drill plan", responses=problem_responses(404))
def get_plan(plan_id: str, ledger: LedgerDep) -> DrillPlanPublic:
    with ledger.read() as lg:
        row = one(views.drill_plans(lg.store), "planId", plan_id, "drill plan")
    return DrillPlanPublic.model_validate(row)


@router.post(
    "/plans",
    status_code=status.HTTP_201_CREATED,
    summary="Plan drills",
    responses=problem_responses(401, 403, 409, 422),
)
def plan_drills(
    body: DrillPlanCreate, department: DepartmentDep, ledger: LedgerDep
) -> DrillPlanned:
    """Plan ``count`` drills owned by the API key's department under a clause in force."""
    with ledger.write() as lg:
        ref = lg.drills.plan_drills(department, body)
    return DrillPlanned(
        plan_id=body.plan_id, owner_id=department, tx=ref.tx_hash, block=ref.block_number
    )


@router.post(
    "/plans/{plan_id}/drills",
    status_code=status.HTTP_201_CREATED,
    summary="Record a drill held",
    responses=_WRITE_PROBLEMS,
)
def record_drill(
    plan_id: str, body: DrillRecord, department: DepartmentDep, ledger: LedgerDep
) -> DrillStep:
    """Record drill ``index`` as held by the plan's owner (the API key's department), no
    earlier than 7 days before it is due. Only the record's digest goes on chain."""
    with ledger.write() as lg:
        ref = lg.drills.record_drill(department, plan_id, body)
    return DrillStep(
        plan_id=plan_id, index=body.index, status="held", tx=ref.tx_hash, block=ref.block_number
    )


@router.post(
    "/plans/{plan_id}/drills/{index}/missed",
    summary="Mark a drill missed",
    responses=_WRITE_PROBLEMS,
    dependencies=[Depends(authenticated_department)],
)
def mark_missed(
    plan_id: str,
    index: Annotated[int, Path(ge=0, le=UINT32_MAX, description="0-based drill index.")],
    ledger: LedgerDep,
) -> DrillStep:
    """Mark a drill missed once more than 7 days passed since it was due unrecorded. Any key."""
    with ledger.write() as lg:
        ref = lg.drills.mark_drill_missed(plan_id, index)
    return DrillStep(
        plan_id=plan_id, index=index, status="missed", tx=ref.tx_hash, block=ref.block_number
    )
