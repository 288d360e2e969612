"""The Drills contract: drill plans and the drills held under them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from web3.types import TxReceipt

from ledger.chain.keystore import Signer
from ledger.errors import LedgerValueError
from ledger.ids import from_bytes32, to_bytes32
from ledger.mechanisms.base import ContractWrapper

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


def _digest(value: bytes, what: str) -> bytes:
    if not isinstance(value, bytes | bytearray) or len(value) != 32:
        raise LedgerValueError(f"{what} must be 32 bytes")
    return bytes(value)


class DrillsContract(ContractWrapper):
    NAME = "Drills"

    def plan_drills(
        self,
        owner: Signer,
        *,
        plan_id: str,
        policy_id: str,
        clause_id: str,
        kind: DrillKind,
        first_due_at: int,
        interval: int,
        count: int,
        total_seats: int,
        required_seats: int,
    ) -> TxReceipt:
        """Plan ``count`` drills owned by ``owner``'s department under a clause in force."""
        request = {
            "planId": to_bytes32(plan_id, "plan id"),
            "policyId": to_bytes32(policy_id, "policy id"),
            "clauseId": to_bytes32(clause_id, "clause id"),
            "kind": int(kind),
            "firstDueAt": first_due_at,
            "interval": interval,
            "count": count,
            "totalSeats": total_seats,
            "requiredSeats": required_seats,
        }
        return self._send(owner, "planDrills", request)

    def record_drill(
        self,
        owner: Signer,
        plan_id: str,
        index: int,
        seats_present: int,
        systems_online: int,
        record_digest: bytes,
    ) -> TxReceipt:
        """Record drill ``index`` as held; the record stays off chain, its digest goes on."""
        request = {
            "planId": to_bytes32(plan_id, "plan id"),
            "index": index,
            "seatsPresent": seats_present,
            "systemsOnline": systems_online,
            "recordDigest": _digest(record_digest, "drill record digest"),
        }
        return self._send(owner, "recordDrill", request)

    def mark_drill_missed(self, signer: Signer, plan_id: str, index: int) -> TxReceipt:
        return self._send(signer, "markDrillMissed", to_bytes32(plan_id, "plan id"), index)

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


__all__ = ["WINDOW", "DrillKind", "DrillPlan", "DrillStatus", "DrillsContract", "parse_kind"]
