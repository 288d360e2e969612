"""Departments registered in the on-chain directory."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import LedgerDep, ReadAccess
from api.schemas import DepartmentList, DepartmentPublic

router = APIRouter(prefix="/departments", tags=["departments"], dependencies=[ReadAccess])


@router.get("", summary="List departments")
def list_departments(ledger: LedgerDep) -> DepartmentList:
    """Every department in the directory, with its account."""
    with ledger.read(fresh=False) as lg:  # the directory contract, not the index
        rows = lg.directory.departments()
    data = [DepartmentPublic.model_validate(row) for row in rows]
    return DepartmentList(data=data, count=len(data))
