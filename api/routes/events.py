"""Indexed chain events: the execution trail, and lookups by block and by transaction."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from api.deps import LedgerDep, ReadAccess, resource_router
from api.errors import problem_responses
from api.models import BlockPublic, EventPublic, EventsPublic, TransactionPublic
from api.params import HASH_PATTERN, PageDep, PolicyFilter, department_filter
from ledger.store.sql import EventFilters
from ledger.store.trail import block_view, transaction_view

router = resource_router("events")

#: The largest block number a path or filter accepts (the store's 64-bit integers).
MAX_BLOCK = 2**63 - 1

BlockNumber = Annotated[int, Path(ge=0, le=MAX_BLOCK, description="The block number.")]
Department = Annotated[
    str | None, Depends(department_filter("Only events this department is responsible for."))
]
TxHash = Annotated[str, Path(pattern=HASH_PATTERN, description="0x and 64 hex digits.")]


@router.get("", summary="List events", responses=problem_responses(422))
def list_events(
    ledger: LedgerDep,
    page: PageDep,
    policy_id: PolicyFilter,
    department_id: Department,
    contract: Annotated[
        str | None, Query(max_length=64, description="Only this contract's events.")
    ] = None,
    event: Annotated[
        str | None, Query(max_length=64, description="Only events of this name.")
    ] = None,
    tx_hash: Annotated[
        str | None, Query(pattern=HASH_PATTERN, description="Only this transaction's events.")
    ] = None,
    block: Annotated[
        int | None, Query(ge=0, le=MAX_BLOCK, description="Only this block's events.")
    ] = None,
) -> EventsPublic:
    """Events in chain order (block, then log index), one page at a time."""
    filters: EventFilters = {
        "contract": contract,
        "names": None if event is None else [event],
        "policy_id": policy_id,
        "department_id": department_id,
        "tx_hash": tx_hash,
        "block": block,
    }
    with ledger.read() as lg:
        records = lg.store.events(**filters, limit=page.limit, offset=page.offset)
        total = lg.store.count_events(**filters)
    return EventsPublic.of([EventPublic.of(r) for r in records], page, total)


chain_router = APIRouter(tags=["events"], dependencies=[ReadAccess])


@chain_router.get("/blocks/{number}", summary="One block", responses=problem_responses(404, 422))
def get_block(number: BlockNumber, ledger: LedgerDep) -> BlockPublic:
    """The block's hash, parent, time and transactions, with the events indexed in it."""
    with ledger.chain_read() as lg:
        view = block_view(lg.w3, lg.store, number)
    return BlockPublic.model_validate(
        {**view, "events": [EventPublic.of(r) for r in view["events"]]}
    )


@chain_router.get(
    "/transactions/{tx_hash}", summary="One transaction", responses=problem_responses(404, 422)
)
def get_transaction(tx_hash: TxHash, ledger: LedgerDep) -> TransactionPublic:
    """The transaction's block, sender, target and outcome, with the events indexed from it."""
    with ledger.chain_read() as lg:
        view = transaction_view(lg.w3, lg.store, tx_hash)
    return TransactionPublic.model_validate(
        {**view, "events": [EventPublic.of(r) for r in view["events"]]}
    )
