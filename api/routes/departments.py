"""Departments registered in the on-chain directory."""

from __future__ import annotations

from api.deps import LedgerDep, resource_router
from api.models import DepartmentsPublic

router = resource_router("departments")


@router.get("", summary="List departments")
def list_departments(ledger: LedgerDep) -> DepartmentsPublic:
    """Every department in the directory, with its account."""
    return DepartmentsPublic.of(ledger.view(lambda lg: lg.departments()))
