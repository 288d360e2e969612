"""Progress along the staged path and the roadmap (MATURITY.md "Trajectory", "Roadmap"):
the jurisdiction tree against its milestones, and what a node behind it should raise."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from api.deps import LedgerDep, resource_router
from api.errors import problem_responses
from api.routes.maturity import SpecVersion, WindowDays

router = resource_router("progress", prefix="")

AsOfBlock = Annotated[
    int | None, Query(ge=0, description="The block to judge at; the latest when absent.")
]


@router.get("/progress", summary="The tree against its path", responses=problem_responses(404, 422))
def progress(
    ledger: LedgerDep,
    jurisdiction: Annotated[
        str | None,
        Query(description="Only this jurisdiction and its subtree; every root when absent."),
    ] = None,
    window_days: WindowDays = None,
    spec: SpecVersion = None,
    as_of_block: AsOfBlock = None,
) -> dict[str, Any]:
    """Every node of the jurisdiction tree, depth first: its level and `M`, the expected
    index and level on its path (its milestones, the national path by default), the gap
    (expected index − `M`), on track or behind, and the trend arrow (`M` against one
    window earlier). All nodes are scored from one read of the events."""
    with ledger.read() as lg:
        return lg.scorer.progress(
            jurisdiction=jurisdiction,
            window_days=window_days,
            spec_version=spec,
            as_of_block=as_of_block,
        )


@router.get("/roadmap", summary="What to raise first", responses=problem_responses(404, 422))
def roadmap(
    ledger: LedgerDep,
    jurisdiction: Annotated[str, Query(description="The jurisdiction.")],
    window_days: WindowDays = None,
    spec: SpecVersion = None,
    as_of_block: AsOfBlock = None,
) -> dict[str, Any]:
    """For a jurisdiction below its expected level, every indicator in the order to raise
    them (the weakest element's first, then by the gain in `M` at a score of 1), each with
    the raw value that lifts the overall level one band on its own, or "not enough alone".
    At or above its expected level: no steps, and a note saying so."""
    with ledger.read() as lg:
        return lg.scorer.roadmap(
            jurisdiction=jurisdiction,
            window_days=window_days,
            spec_version=spec,
            as_of_block=as_of_block,
        )
