"""Indexed chain events: the execution trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from api.deps import LedgerDep, resource_router
from api.models import EventPublic, EventsPublic

router = resource_router("events")


@router.get("", summary="List events")
def list_events(
    ledger: LedgerDep,
    policy_id: Annotated[str | None, Query(description="Only events of this policy.")] = None,
    department_id: Annotated[
        str | None, Query(description="Only events this department is responsible for.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> EventsPublic:
    """Events in chain order (block, then log index), one page at a time."""
    with ledger.read() as lg:
        records = lg.store.events(
            policy_id=policy_id, department_id=department_id, limit=limit, offset=offset
        )
    data = [
        EventPublic(
            block=r.block_number,
            block_hash=r.block_hash,
            block_time=r.block_time,
            tx=r.tx_hash,
            log_index=r.log_index,
            contract=r.contract,
            event=r.event,
            args=r.args,
        )
        for r in records
    ]
    return EventsPublic(data=data, count=len(data), limit=limit, offset=offset)
