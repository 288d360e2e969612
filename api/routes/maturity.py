"""Maturity scores (MATURITY.md), computed from the indexed evidence."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import LedgerDep, ReadAccess
from api.errors import problem_responses
from api.models import MaturityPublic
from ledger.errors import NotFoundError

router = APIRouter(prefix="/maturity", tags=["maturity"], dependencies=[ReadAccess])


@router.get("", summary="Maturity score", responses=problem_responses(404))
def score(
    ledger: LedgerDep,
    department: Annotated[
        str | None, Query(description="Score one department; the whole city when absent.")
    ] = None,
    window_days: Annotated[
        int | None, Query(ge=1, le=3660, description="Days of evidence; the spec's default.")
    ] = None,
) -> MaturityPublic:
    """The score result as the maturity engine produces it: four elements, the overall
    level, the indicators with their evidence, and `result_hash`."""
    with ledger.read() as lg:
        if department is not None and not lg.directory.is_department(department):
            raise NotFoundError("department", department)
        result = lg.score(scope=department, window_days=window_days)
    return MaturityPublic.model_validate(result)
