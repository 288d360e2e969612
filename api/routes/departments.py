"""Departments registered in the on-chain directory."""

from __future__ import annotations

from api.deps import LedgerDep, resource_router
from api.models import DepartmentsPublic

router = resource_router("departments")


@router.get("", summary="List departments")
def list_departments(ledger: LedgerDep) -> DepartmentsPublic:
    """Every department in the directory, with its account."""
    # the directory contract, not the index
    return DepartmentsPublic.of(ledger.chain_view(lambda lg: lg.departments.list()))
