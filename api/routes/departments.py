"""Departments registered in the on-chain directory."""

from __future__ import annotations

from api.deps import LedgerDep, resource_router
from api.errors import problem_responses
from api.models import DepartmentsPublic
from api.params import PageDep

router = resource_router("departments")


@router.get("", summary="List departments", responses=problem_responses(422))
def list_departments(ledger: LedgerDep, page: PageDep) -> DepartmentsPublic:
    """The departments in the directory, with their accounts (from the index)."""
    return DepartmentsPublic.of(ledger.view(lambda lg: lg.departments()), page)
