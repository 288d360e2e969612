"""Business systems, reserved slots, and their connection to the command center.

The API key's department owns the systems it registers and alone fills, connects
and disconnects them (the contract checks: ``NotSystemOwner``, a 403). A reserved
slot is listed like any system and cannot connect until filled (``SlotReserved``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends

from api.deps import DepartmentDep, LedgerAccess, LedgerDep, resource_router
from api.errors import WRITE_PROBLEMS, creates, problem_responses, unknown_is_404
from api.models import SystemConnection, SystemCreate, SystemsPublic, SystemState
from api.params import PageDep, department_filter, id_path
from ledger.chain.types import TxRef
from ledger.core import Ledger
from ledger.store import views

SystemId = Annotated[str, id_path("system")]
router = resource_router("systems", unknown=unknown_is_404("SystemUnknown", "system", "system_id"))


def _state(ledger: LedgerAccess, system_id: str, send: Callable[[Ledger], TxRef]) -> SystemState:
    """Send the change and read the system after it."""
    ref, info = ledger.send_then(send, lambda lg: lg.systems.system_of(system_id))
    return SystemState.landed(
        ref,
        system_id=system_id,
        owner_id=info.owner_id,
        reserved=info.reserved,
        connected=info.connected,
    )


@router.get("", summary="List systems and reserved slots", responses=problem_responses(422))
def list_systems(
    ledger: LedgerDep,
    page: PageDep,
    department_id: Annotated[str | None, Depends(department_filter("Only systems it owns."))],
) -> SystemsPublic:
    """Registered systems, reserved slots included, with their connection state."""
    return SystemsPublic.of(ledger.view(lambda lg: views.systems(lg.store, department_id)), page)


@creates(router, "", "Register a system or a reserved slot")
def register_system(
    body: SystemCreate, department: DepartmentDep, ledger: LedgerDep
) -> SystemState:
    """Register a business system owned by the API key's department; ``reserved`` for a slot
    whose system cannot be had yet (vertical-ministry data, say)."""
    return _state(ledger, body.system_id, lambda lg: lg.systems.register_system(department, body))


@router.post("/{system_id}/fill", summary="Fill a reserved slot", responses=WRITE_PROBLEMS)
def fill_slot(system_id: SystemId, department: DepartmentDep, ledger: LedgerDep) -> SystemState:
    """The slot's system became available: it can connect from now on. Only its owner."""
    return _state(ledger, system_id, lambda lg: lg.systems.fill_slot(department, system_id))


@router.post("/{system_id}/connect", summary="Connect a system", responses=WRITE_PROBLEMS)
def connect_system(
    system_id: SystemId, body: SystemConnection, department: DepartmentDep, ledger: LedgerDep
) -> SystemState:
    """Connect a system to the command center under a clause in force. Only its owner."""
    return _state(ledger, system_id, lambda lg: lg.systems.connect(department, system_id, body))


@router.post("/{system_id}/disconnect", summary="Disconnect a system", responses=WRITE_PROBLEMS)
def disconnect_system(
    system_id: SystemId, body: SystemConnection, department: DepartmentDep, ledger: LedgerDep
) -> SystemState:
    """Disconnect a connected system under a clause in force. Only its owner."""
    return _state(ledger, system_id, lambda lg: lg.systems.disconnect(department, system_id, body))
