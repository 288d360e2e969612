"""The WorkOrders contract: the 12345 hotline's six-stage closed loop.

accept (受理) -> transfer (转办, may repeat before handling) -> handle (办理) ->
feedback (反馈) -> complete (办结) -> evaluate (评价). Only a salted digest of the case
file goes on chain; :func:`case_digest` computes it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import IntEnum
from typing import Annotated

from pydantic import Field

from ledger.chain.keystore import Signer
from ledger.chain.types import TxRef
from ledger.errors import LedgerValueError
from ledger.ids import from_bytes32, to_bytes32
from ledger.mechanisms.base import Actor, ContractWrapper
from ledger.mechanisms.fields import UINT32_MAX, Digest, Id, Request, digest_bytes

#: The shortest salt :func:`case_digest` accepts: enough that a short case file
#: (a phone number, a name) cannot be found from its digest by guessing.
MIN_SALT_BYTES = 16

_ZERO = b"\x00" * 32


class Stage(IntEnum):
    """A work order's stages, in the order they happen (``IWorkOrders.Stage``)."""

    NONE = 0
    ACCEPTED = 1
    TRANSFERRED = 2
    HANDLED = 3
    FEEDBACK_GIVEN = 4
    COMPLETED = 5
    EVALUATED = 6


@dataclass(frozen=True)
class WorkOrder:
    """One order as the contract stores it."""

    order_id: str
    policy_id: str
    clause_id: str
    category: str
    handler_id: str | None  # None until the first transfer
    sla_deadline: int
    stage: Stage
    overdue: bool
    late: bool
    score: int | None  # None until evaluated


def case_digest(case_file: bytes, salt: bytes) -> bytes:
    """SHA-256 of ``salt || case_file``: what goes on chain instead of the case file.

    Keep the salt with the case file: with both, anyone can recompute the digest.
    """
    if len(salt) < MIN_SALT_BYTES:
        raise LedgerValueError(f"the salt must be at least {MIN_SALT_BYTES} bytes, got {len(salt)}")
    return hashlib.sha256(salt + case_file).digest()


def _order_id(value: str) -> bytes:
    return to_bytes32(value, "order id")


class CategorySet(Request):
    """The SLA of a request category (set again to change it for orders accepted later)."""

    category: Id
    sla_seconds: Annotated[int, Field(ge=1, le=UINT32_MAX, description="Seconds to complete.")]


class OrderAccept(Request):
    """A request accepted (受理) under a policy clause in force.

    The case file stays with the hotline: only its salted digest comes here (keep the
    salt with the case file, so the digest can be proven later).
    """

    order_id: Id
    category: Id
    policy_id: Id
    clause_id: Id
    case_digest: Digest


class OrderTransfer(Request):
    """The department the order goes to (转办)."""

    handler_id: Id


class OrderFeedback(Request):
    """The handling department's feedback (反馈), as the digest of its text."""

    feedback_digest: Digest


class OrderEvaluate(Request):
    """The citizen's satisfaction (评价), 1 (worst) to 5 (best)."""

    score: Annotated[int, Field(ge=1, le=5)]


class WorkOrdersContract(ContractWrapper):
    NAME = "WorkOrders"

    def set_category(self, category: CategorySet, *, by: Signer | None = None) -> TxRef:
        """Set a category's SLA (the directory admin's key unless ``by``)."""
        return self._transact(
            by,
            "",
            "setCategory",
            to_bytes32(category.category, "category"),
            category.sla_seconds,
        )

    def accept(self, operator: Actor, order: OrderAccept) -> TxRef:
        """Accept (受理) a request; only a salted digest of the case file goes on chain."""
        request = {
            "orderId": _order_id(order.order_id),
            "category": to_bytes32(order.category, "category"),
            "policyId": to_bytes32(order.policy_id, "policy id"),
            "clauseId": to_bytes32(order.clause_id, "clause id"),
            "caseDigest": digest_bytes(order.case_digest),
        }
        return self._transact(operator, "OPERATOR", "accept", request)

    def transfer(self, operator: Actor, order_id: str, handler_id: str) -> TxRef:
        return self._transact(
            operator,
            "OPERATOR",
            "transfer",
            _order_id(order_id),
            to_bytes32(handler_id, "department id"),
        )

    def handle(self, department: Actor, order_id: str) -> TxRef:
        return self._transact(department, "DEPARTMENT", "handle", _order_id(order_id))

    def feedback(self, department: Actor, order_id: str, feedback_digest: bytes) -> TxRef:
        return self._transact(
            department, "DEPARTMENT", "feedback", _order_id(order_id), feedback_digest
        )

    def complete(self, operator: Actor, order_id: str) -> TxRef:
        return self._transact(operator, "OPERATOR", "complete", _order_id(order_id))

    def evaluate(self, operator: Actor, order_id: str, score: int) -> TxRef:
        return self._transact(operator, "OPERATOR", "evaluate", _order_id(order_id), score)

    def mark_overdue(self, order_id: str, *, by: Signer | None = None) -> TxRef:
        """Mark an order overdue (anyone may; the admin's key by default)."""
        return self._transact(by, "", "markOverdue", _order_id(order_id))

    def sla_of(self, category: str) -> int:
        return int(self._call("slaOf", to_bytes32(category, "category")))

    def order(self, order_id: str) -> WorkOrder:
        o = self._call_record("orderOf", _order_id(order_id))
        handler_id = bytes(o["handlerId"])
        return WorkOrder(
            order_id=order_id,
            policy_id=from_bytes32(bytes(o["policyId"])),
            clause_id=from_bytes32(bytes(o["clauseId"])),
            category=from_bytes32(bytes(o["category"])),
            handler_id=None if handler_id == _ZERO else from_bytes32(handler_id),
            sla_deadline=int(o["slaDeadline"]),
            stage=Stage(int(o["stage"])),
            overdue=bool(o["overdue"]),
            late=bool(o["late"]),
            score=int(o["score"]) or None,
        )


__all__ = [
    "MIN_SALT_BYTES",
    "CategorySet",
    "OrderAccept",
    "OrderEvaluate",
    "OrderFeedback",
    "OrderTransfer",
    "Stage",
    "WorkOrder",
    "WorkOrdersContract",
    "case_digest",
]
