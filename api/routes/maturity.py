"""Maturity scores (MATURITY.md), computed from the indexed evidence."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from api.deps import LedgerDep, resource_router
from api.errors import problem_responses
from api.models import MaturityPublic
from ledger.core import Ledger
from ledger.errors import LedgerValueError, NotFoundError
from ledger.maturity.scopes import jurisdiction_label

router = resource_router("maturity")

Department = Annotated[
    str | None, Query(description="Score one department; the whole city when absent.")
]
Jurisdiction = Annotated[
    str | None,
    Query(
        description="Score a jurisdiction with everything below it (each department counted"
        " where it stood at each event's block); the whole city when absent."
    ),
]
WindowDays = Annotated[
    int | None, Query(ge=1, le=3660, description="Days of evidence; the spec's default.")
]
SpecVersion = Annotated[
    int | None, Query(alias="spec", ge=1, description="Spec version; the latest when absent.")
]


def _scope(lg: Ledger, department: str | None, jurisdiction: str | None) -> str | None:
    """The scope asked for: the city (None), a department known to the directory, or a
    jurisdiction's label ``@id`` (the scorer answers 404 if the chain has none)."""
    if department is not None and jurisdiction is not None:
        raise LedgerValueError("department and jurisdiction are separate scopes: choose one")
    if jurisdiction is not None:
        return jurisdiction_label(jurisdiction)
    if department is not None and not lg.directory.is_department(department):
        raise NotFoundError("department", department)
    return department


@router.get("", summary="Maturity score", responses=problem_responses(404, 422))
def score(
    ledger: LedgerDep,
    department: Department = None,
    jurisdiction: Jurisdiction = None,
    window_days: WindowDays = None,
    spec: SpecVersion = None,
) -> MaturityPublic:
    """The score result as the maturity engine produces it: four elements, the overall
    level, the indicators with their evidence, and `result_hash`."""
    with ledger.read() as lg:
        result = lg.scorer.score(
            scope=_scope(lg, department, jurisdiction), window_days=window_days, spec_version=spec
        )
    return MaturityPublic.model_validate(result)


@router.get(
    "/clauses", summary="Conversion cycle per clause", responses=problem_responses(404, 422)
)
def clauses(
    ledger: LedgerDep,
    department: Department = None,
    jurisdiction: Jurisdiction = None,
    window_days: WindowDays = None,
    spec: SpecVersion = None,
) -> dict[str, Any]:
    """Every in-force clause's start, first execution (the event or checkpoint that
    executed it) and days, or "not executed", as I1 sees them."""
    with ledger.read() as lg:
        return lg.scorer.clauses(
            scope=_scope(lg, department, jurisdiction), window_days=window_days, spec_version=spec
        )


@router.get(
    "/series", summary="Scores over consecutive windows", responses=problem_responses(404, 422)
)
def series(
    ledger: LedgerDep,
    department: Department = None,
    jurisdiction: Jurisdiction = None,
    window_days: WindowDays = None,
    windows: Annotated[int, Query(ge=1, le=48, description="Number of windows.")] = 4,
    spec: SpecVersion = None,
) -> dict[str, Any]:
    """The scores at the ends of consecutive windows ending at the latest block, oldest
    first, each a full result with its own `result_hash`."""
    with ledger.read() as lg:
        return lg.scorer.series(
            scope=_scope(lg, department, jurisdiction),
            windows=windows,
            window_days=window_days,
            spec_version=spec,
        )
