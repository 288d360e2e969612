"""The Drills contract: drill plans and the drills held under them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Annotated, Literal

from pydantic import Field

from ledger.chain.keystore import Signer
from ledger.chain.types import TxRef
from ledger.errors import LedgerValueError
from ledger.ids import from_bytes32, to_bytes32
from ledger.mechanisms.base import Actor, ContractWrapper
from ledger.mechanisms.fields import (
    UINT16_MAX,
    UINT32_MAX,
    UINT64_MAX,
    Digest,
    Id,
    Request,
    digest_bytes,
)

#: How far from its due time a drill still counts as held on time (the contract's WINDOW).
WINDOW = 7 * 24 * 3_600


class DrillKind(IntEnum):
    """A full drill staffs every seat; a half drill at least half of them."""

    FULL = 1
    HALF = 2


class DrillStatus(IntEnum):
    OPEN = 0
    HELD = 1
    MISSED = 2


@dataclass(frozen=True)
class DrillPlan:
    plan_id: str
    owner_id: str
    policy_id: str
    clause_id: str
    kind: DrillKind
    first_due_at: int
    interval: int
    count: int
    total_seats: int
    required_seats: int

    def due_at(self, index: int) -> int:
        """The due time of drill ``index``, as the contract computes it."""
        if not 0 <= index < self.count:
            raise LedgerValueError(
                f"drill index {index} is outside plan {self.plan_id!r} (0..{self.count - 1})"
            )
        return self.first_due_at + index * self.interval


def parse_kind(value: str | int) -> DrillKind:
    if isinstance(value, int):
        return DrillKind(value)
    try:
        return DrillKind[value.upper()]
    except KeyError:
        names = ", ".join(k.name.lower() for k in DrillKind)
        raise LedgerValueError(f"unknown drill kind {value!r}; use one of {names}") from None


class DrillPlanCreate(Request):
    """A series of drills owned by the acting department, under a policy clause in force."""

    plan_id: Id
    policy_id: Id
    clause_id: Id
    kind: Literal["full", "half"] = Field(
        description="A full drill staffs every seat; a half drill at least half of them."
    )
    first_due_at: Annotated[
        int, Field(ge=1, le=UINT64_MAX, description="Unix seconds; must be in the future.")
    ]
    interval_seconds: Annotated[int, Field(ge=1, le=UINT64_MAX)]
    count: Annotated[int, Field(ge=1, le=UINT32_MAX)]
    total_seats: Annotated[int, Field(ge=1, le=UINT16_MAX)]
    required_seats: Annotated[int, Field(ge=1, le=UINT16_MAX)] | None = Field(
        default=None,
        description="Seats that must be present; default every seat for a full drill,"
        " half of them (rounded up) for a half drill.",
    )

    @property
    def seats_required(self) -> int:
        """``required_seats``, or its default for the kind."""
        if self.required_seats is not None:
            return self.required_seats
        return self.total_seats if self.kind == "full" else (self.total_seats + 1) // 2


class DrillRecord(Request):
    """A drill held; the drill record stays off chain, its digest goes on."""

    index: Annotated[int, Field(ge=0, le=UINT32_MAX, description="0-based drill index.")]
    seats_present: Annotated[int, Field(ge=0, le=UINT16_MAX)]
    systems_online: Annotated[int, Field(ge=0, le=UINT16_MAX)]
    record_digest: Digest


class DrillsContract(ContractWrapper):
    NAME = "Drills"

    def plan_drills(self, owner: Actor, plan: DrillPlanCreate) -> TxRef:
        """Plan ``plan.count`` drills owned by ``owner`` (DEPARTMENT) under a clause in force."""
        request = {
            "planId": to_bytes32(plan.plan_id, "plan id"),
            "policyId": to_bytes32(plan.policy_id, "policy id"),
            "clauseId": to_bytes32(plan.clause_id, "clause id"),
            "kind": int(parse_kind(plan.kind)),
            "firstDueAt": plan.first_due_at,
            "interval": plan.interval_seconds,
            "count": plan.count,
            "totalSeats": plan.total_seats,
            "requiredSeats": plan.seats_required,
        }
        return self._transact(owner, "DEPARTMENT", "planDrills", request)

    def record_drill(self, owner: Actor, plan_id: str, drill: DrillRecord) -> TxRef:
        """Record a drill as held; the record stays off chain, its digest goes on."""
        request = {
            "planId": to_bytes32(plan_id, "plan id"),
            "index": drill.index,
            "seatsPresent": drill.seats_present,
            "systemsOnline": drill.systems_online,
            "recordDigest": digest_bytes(drill.record_digest),
        }
        return self._transact(owner, "DEPARTMENT", "recordDrill", request)

    def mark_drill_missed(self, plan_id: str, index: int, *, by: Signer | None = None) -> TxRef:
        """Mark a drill missed (anyone may; the admin's key by default)."""
        return self._transact(by, "", "markDrillMissed", to_bytes32(plan_id, "plan id"), index)

    def due_at(self, plan_id: str, index: int) -> int:
        return int(self._call("dueAt", to_bytes32(plan_id, "plan id"), index))

    def drill_status(self, plan_id: str, index: int) -> DrillStatus:
        return DrillStatus(int(self._call("drillStatus", to_bytes32(plan_id, "plan id"), index)))

    def plan_of(self, plan_id: str) -> DrillPlan:
        plan = self._call_record("planOf", to_bytes32(plan_id, "plan id"))
        return DrillPlan(
            plan_id=plan_id,
            owner_id=from_bytes32(plan["ownerId"]),
            policy_id=from_bytes32(plan["policyId"]),
            clause_id=from_bytes32(plan["clauseId"]),
            kind=DrillKind(int(plan["kind"])),
            first_due_at=int(plan["firstDueAt"]),
            interval=int(plan["interval"]),
            count=int(plan["count"]),
            total_seats=int(plan["totalSeats"]),
            required_seats=int(plan["requiredSeats"]),
        )


__all__ = [
    "WINDOW",
    "DrillKind",
    "DrillPlan",
    "DrillPlanCreate",
    "DrillRecord",
    "DrillStatus",
    "DrillsContract",
    "parse_kind",
]
