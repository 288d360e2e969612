"""Jurisdictions: the tree of tiers (province to grid), the departments in each, and each
one's staged targets.

Reads are open. Writes need a key whose department holds REGISTRAR (403 otherwise); the
Directory refuses a cycle, a tier that does not fit, an id taken or a department placed
twice with its custom error (409). An unknown jurisdiction in the path is a 404.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request

from api.deps import DepartmentDep, LedgerAccess, LedgerDep, resource_router
from api.errors import WRITE_PROBLEMS, creates, problem_responses
from api.models import (
    DepartmentPlacedPublic,
    DepartmentPlacement,
    JurisdictionCreate,
    JurisdictionDetailPublic,
    JurisdictionMove,
    JurisdictionRename,
    JurisdictionsPublic,
    JurisdictionState,
    MilestonesUpdate,
)
from api.params import PageDep, id_path
from ledger.chain.types import TxRef
from ledger.core import Ledger
from ledger.errors import ContractRevert, NotFoundError
from ledger.jurisdictions import detail_row, node_rows


def _unknown_is_404(request: Request) -> Iterator[None]:
    """``JurisdictionUnknown`` for the id in the path is a 404; for another id (a parent
    named in the body) it stays the contract's 409."""
    ident = request.path_params.get("jurisdiction_id")
    try:
        yield
    except ContractRevert as err:
        if err.name == "JurisdictionUnknown" and err.arguments.get("jurisdictionId") == ident:
            raise NotFoundError("jurisdiction", str(ident)) from err
        raise


JurisdictionId = Annotated[str, id_path("jurisdiction")]

router = resource_router("jurisdictions", unknown=Depends(_unknown_is_404))


def _state(
    ledger: LedgerAccess, jurisdiction_id: str, send: Callable[[Ledger], TxRef]
) -> JurisdictionState:
    """Send the write and read the jurisdiction after it."""
    ref, row = ledger.send_then(send, lambda lg: detail_row(lg.jurisdictions.show(jurisdiction_id)))
    return JurisdictionState.landed(ref, **row)


@router.get("", summary="List jurisdictions", responses=problem_responses(422))
def list_jurisdictions(ledger: LedgerDep, page: PageDep) -> JurisdictionsPublic:
    """The tree depth first, each parent before its children, with each one's departments."""
    rows = ledger.chain_view(lambda lg: node_rows(lg.jurisdictions.tree()))
    return JurisdictionsPublic.of(rows, page)


@router.get(
    "/{jurisdiction_id}", summary="Show a jurisdiction", responses=problem_responses(404, 422)
)
def show_jurisdiction(
    jurisdiction_id: JurisdictionId, ledger: LedgerDep
) -> JurisdictionDetailPublic:
    """Its parent, tier and name, the path from its root, its children and departments, and
    its staged targets."""
    row = ledger.chain_view(lambda lg: detail_row(lg.jurisdictions.show(jurisdiction_id)))
    return JurisdictionDetailPublic.model_validate(row)


@creates(router, "", "Create a jurisdiction")
def create_jurisdiction(
    body: JurisdictionCreate, department: DepartmentDep, ledger: LedgerDep
) -> JurisdictionState:
    """A root, or a child whose tier is below its parent's. Only a REGISTRAR department."""
    return _state(
        ledger,
        body.jurisdiction_id,
        lambda lg: lg.jurisdictions.create(
            body.jurisdiction_id, body.parent_id, body.tier, body.name, by=department
        ),
    )


@router.post("/{jurisdiction_id}/rename", summary="Rename a jurisdiction", responses=WRITE_PROBLEMS)
def rename_jurisdiction(
    jurisdiction_id: JurisdictionId,
    body: JurisdictionRename,
    department: DepartmentDep,
    ledger: LedgerDep,
) -> JurisdictionState:
    """Only a REGISTRAR department."""
    return _state(
        ledger,
        jurisdiction_id,
        lambda lg: lg.jurisdictions.rename(jurisdiction_id, body.name, by=department),
    )


@router.post("/{jurisdiction_id}/move", summary="Move a jurisdiction", responses=WRITE_PROBLEMS)
def move_jurisdiction(
    jurisdiction_id: JurisdictionId,
    body: JurisdictionMove,
    department: DepartmentDep,
    ledger: LedgerDep,
) -> JurisdictionState:
    """Move it with its subtree under another parent (null: make it a root). Under itself or
    one of its descendants is a 409 ``JurisdictionCycle``. Only a REGISTRAR department."""
    return _state(
        ledger,
        jurisdiction_id,
        lambda lg: lg.jurisdictions.move(jurisdiction_id, body.parent_id, by=department),
    )


@router.post(
    "/{jurisdiction_id}/departments",
    summary="Place a department in a jurisdiction",
    responses=WRITE_PROBLEMS,
)
def place_department(
    jurisdiction_id: JurisdictionId,
    body: DepartmentPlacement,
    department: DepartmentDep,
    ledger: LedgerDep,
) -> DepartmentPlacedPublic:
    """Put a department here, moving it from the jurisdiction it is in, if any: a department
    belongs to exactly one. Only a REGISTRAR department."""
    placed = body.department_id
    with ledger.write() as lg:
        before = lg.jurisdictions.of(placed)
        ref = lg.jurisdictions.place(placed, jurisdiction_id, by=department)
    return DepartmentPlacedPublic.landed(
        ref, department_id=placed, jurisdiction_id=jurisdiction_id, from_jurisdiction_id=before
    )


@router.put(
    "/{jurisdiction_id}/milestones",
    summary="Set a jurisdiction's staged targets",
    responses=WRITE_PROBLEMS,
)
def set_milestones(
    jurisdiction_id: JurisdictionId,
    body: MilestonesUpdate,
    department: DepartmentDep,
    ledger: LedgerDep,
) -> JurisdictionState:
    """Replace the milestones (an empty list restores the national path). Times must
    strictly increase and levels must not go down (409 ``InvalidMilestones``). Only a
    REGISTRAR department."""
    pairs = [(m.at, m.level) for m in body.milestones]
    return _state(
        ledger,
        jurisdiction_id,
        lambda lg: lg.jurisdictions.set_milestones(jurisdiction_id, pairs, by=department),
    )
