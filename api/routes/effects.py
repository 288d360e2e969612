"""The effect log: batches of high-volume facts, checkpoints, and RFC 9162 proofs.

Appending needs an API key of the log's owning department. Proofs are for anyone:
an entry's inclusion proof against the latest anchored checkpoint, and consistency
proofs between checkpoints, each checkable with nothing but RFC 9162. Every route
answers 409 while no effect log is opened on the ledger.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query

from api.deps import DepartmentDep, LedgerDep, resource_router
from api.errors import problem_responses
from api.models import EntriesAdded, EntriesCreate, LogStatusPublic
from ledger.errors import ForbiddenError

router = resource_router("effects")


def _owner_only(lg: Any, department: str) -> None:
    owner = lg.effects.require_config().owner
    if department != owner:
        raise ForbiddenError(f"only {owner!r}, the log's owner, appends to the effect log")


@router.get("", summary="The effect log's status", responses=problem_responses(409))
def status_(ledger: LedgerDep) -> LogStatusPublic:
    with ledger.chain_read() as lg:
        config = lg.effects.require_config()
        latest = lg.effects.latest()
        size = lg.effects.store.size
    return LogStatusPublic(
        log_id=config.log_id,
        owner=config.owner,
        size=size,
        checkpoint=latest.index,
        anchored_size=latest.tree_size,
        root=latest.root.hex(),
        pending=size - latest.tree_size,
    )


@router.post(
    "/entries", summary="Append a batch of entries", responses=problem_responses(401, 403, 409, 422)
)
def append(body: EntriesCreate, department: DepartmentDep, ledger: LedgerDep) -> EntriesAdded:
    """Validate each entry; bad ones are rejected with their index and reason and the rest
    are appended. An entry already in the log is counted as a duplicate, not added again."""
    with ledger.write() as lg:
        _owner_only(lg, department)
        result = lg.effects.ingest_entries(body.entries)
    return EntriesAdded.model_validate(result)


@router.post("/seal", summary="Anchor a checkpoint now", responses=problem_responses(401, 403, 409))
def seal(department: DepartmentDep, ledger: LedgerDep) -> LogStatusPublic:
    with ledger.write() as lg:
        _owner_only(lg, department)
        lg.effects.seal()
    return status_(ledger)


@router.get(
    "/entries/{sequence}",
    summary="An entry with its inclusion proof",
    responses=problem_responses(404, 409, 422),
)
def entry_proof(
    sequence: Annotated[int, Path(ge=0, le=2**63 - 1, description="The entry's sequence number.")],
    ledger: LedgerDep,
) -> dict[str, Any]:
    """The entry's canonical JSON, its leaf hash, and the RFC 9162 inclusion proof against
    the latest anchored checkpoint (with that checkpoint's transaction)."""
    with ledger.chain_read() as lg:
        return lg.effects.prove(sequence)


@router.get(
    "/consistency",
    summary="A consistency proof between two checkpoints",
    responses=problem_responses(404, 409, 422),
)
def consistency(
    ledger: LedgerDep,
    first: Annotated[int, Query(ge=1, le=2**63 - 1, description="The earlier checkpoint, from 1.")],
    second: Annotated[int, Query(ge=1, le=2**63 - 1, description="The later checkpoint.")],
) -> dict[str, Any]:
    with ledger.chain_read() as lg:
        return lg.effects.consistency(first, second)
