"""Business systems, reserved slots, and their connection to the command center.

The API key's department owns the systems it registers and alone fills, connects
and disconnects them (the contract checks: ``NotSystemOwner``, a 403). A reserved
slot is listed like any system and cannot connect until filled (``SlotReserved``).
"""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import DepartmentDep, LedgerDep, ReadAccess
from api.errors import problem_responses, unknown_is_404
from api.models import SystemConnection, SystemCreate, SystemPublic, SystemsPublic, SystemState
from ledger.chain.types import TxRef
from ledger.core import Ledger
from ledger.store import views

router = APIRouter(
    prefix="/systems",
    tags=["systems"],
    dependencies=[ReadAccess, unknown_is_404("SystemUnknown", "system", "system_id")],
)

_WRITE_PROBLEMS = problem_responses(401, 403, 404, 409, 422)


def _state(lg: Ledger, system_id: str, ref: TxRef) -> SystemState:
    info = lg.systems.system_of(system_id)
    return SystemState(
        system_id=system_id,
        owner_id=info.owner_id,
        reserved=info.reserved,
        connected=info.connected,
        tx=ref.tx_hash,
        block=ref.block_number,
    )


@router.get("", summary="List systems and reserved slots")
def list_systems(ledger: LedgerDep) -> SystemsPublic:
    """Every registered system, reserved slots included, with its connection state."""
    with ledger.read() as lg:
        rows = views.systems(lg.store)
    data = [SystemPublic.model_validate(row) for row in rows]
    return SystemsPublic(data=data, count=len(data))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Register a system or a reserved slot",
    responses=problem_responses(401, 403, 409, 422),
)
def register_system(
    body: SystemCreate, department: DepartmentDep, ledger: LedgerDep
) -> SystemState:
    """Register a business system owned by the API key's department; ``reserved`` for a slot
    whose system cannot be had yet (vertical-ministry data, say)."""
    with ledger.write() as lg:
        ref = lg.systems.register_system(department, body)
        return _state(lg, body.system_id, ref)


@router.post("/{system_id}/fill", summary="Fill a reserved slot", responses=_WRITE_PROBLEMS)
def fill_slot(system_id: str, department: DepartmentDep, ledger: LedgerDep) -> SystemState:
    """The slot's system became available: it can connect from now on. Only its owner."""
    with ledger.write() as lg:
        ref = lg.systems.fill_slot(department, system_id)
        return _state(lg, system_id, ref)


@router.post("/{system_id}/connect", summary="Connect a system", responses=_WRITE_PROBLEMS)
def connect_system(
    system_id: str, body: SystemConnection, department: DepartmentDep, ledger: LedgerDep
) -> SystemState:
    """Connect a system to the command center under a clause in force. Only its owner."""
    with ledger.write() as lg:
        ref = lg.systems.connect(department, system_id, body)
        return _state(lg, system_id, ref)


@router.post("/{system_id}/disconnect", summary="Disconnect a system", responses=_WRITE_PROBLEMS)
def disconnect_system(
    system_id: str, body: SystemConnection, department: DepartmentDep, ledger: LedgerDep
) -> SystemState:
    """Disconnect a connected system under a clause in force. Only its owner."""
    with ledger.write() as lg:
        ref = lg.systems.disconnect(department, system_id, body)
        return _state(lg, system_id, ref)
