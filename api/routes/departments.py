"""Departments registered in the on-chain directory."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import LedgerDep, ReadAccess
from api.models import DepartmentsPublic

router = APIRouter(prefix="/departments", tags=["departments"], dependencies=[ReadAccess])


@router.get("", summary="List departments")
def list_departments(ledger: LedgerDep) -> DepartmentsPublic:
    """Every department in the directory, with its account."""
    # the directory contract, not the index
    return DepartmentsPublic.of(ledger.view(lambda lg: lg.departments.list(), fresh=False))
