"""The DataSharing contract: catalog items, agreements and deliveries."""

from __future__ import annotations

from enum import IntEnum
from typing import Annotated, Literal

from pydantic import Field

from ledger.chain.keystore import Signer
from ledger.chain.types import TxRef
from ledger.errors import LedgerValueError
from ledger.ids import from_bytes32, to_bytes32
from ledger.mechanisms.base import Actor, ContractWrapper
from ledger.mechanisms.fields import UINT32_MAX, UINT64_MAX, Digest, Id, Request, digest_bytes


class Permission(IntEnum):
    """Ordered usage-permission levels: a call is within its permission when the
    level used is at most the level the agreement granted (MATURITY.md, D3)."""

    OPEN = 1
    CONDITIONAL = 2
    RESTRICTED = 3


class PeriodStatus(IntEnum):
    OPEN = 0
    DELIVERED = 1
    MISSED = 2


def parse_permission(value: str | int) -> Permission:
    if isinstance(value, int):
        return Permission(value)
    try:
        return Permission[value.upper()]
    except KeyError:
        names = ", ".join(p.name.lower() for p in Permission)
        raise LedgerValueError(f"unknown permission {value!r}; use one of {names}") from None


PermissionName = Literal["open", "conditional", "restricted"]


class CatalogItemCreate(Request):
    """A catalog item; its provider is the acting department."""

    item_id: Id
    data_type: Id = Field(description="The kind of data, e.g. `population.registry`.")
    permission: PermissionName = Field(description="The most a consumer may be granted.")
    disclosure: Id = Field(description="How the item is disclosed, e.g. `api` or `file`.")


class AgreementCreate(Request):
    """A commitment to deliver a catalog item to a consumer under a policy clause in force."""

    agreement_id: Id
    item_id: Id
    consumer_id: Id
    policy_id: Id
    clause_id: Id
    permission: PermissionName
    first_due_at: Annotated[
        int, Field(ge=1, le=UINT64_MAX, description="Unix seconds; must be in the future.")
    ]
    period_seconds: Annotated[int, Field(ge=1, le=UINT64_MAX)]
    periods: Annotated[int, Field(ge=1, le=UINT32_MAX)]
    calls_per_period: Annotated[int, Field(ge=0, le=UINT64_MAX)]


class DeliveryCreate(Request):
    """One period's delivery; only the payload's digest goes on chain."""

    period: Annotated[int, Field(ge=0, le=UINT32_MAX, description="0-based period index.")]
    record_count: Annotated[int, Field(ge=0, le=UINT64_MAX)]
    payload_digest: Digest


class DataSharingContract(ContractWrapper):
    NAME = "DataSharing"

    def register_item(self, provider: Actor, item: CatalogItemCreate) -> TxRef:
        """Register a catalog item provided by ``provider`` (DEPARTMENT)."""
        return self._transact(
            provider,
            "DEPARTMENT",
            "registerItem",
            to_bytes32(item.item_id, "item id"),
            to_bytes32(item.data_type, "data type"),
            int(parse_permission(item.permission)),
            to_bytes32(item.disclosure, "disclosure method"),
        )

    def commit_agreement(self, provider: Actor, agreement: AgreementCreate) -> TxRef:
        """Commit ``provider`` (DEPARTMENT) to deliver an item, period by period."""
        a = agreement
        request = {
            "agreementId": to_bytes32(a.agreement_id, "agreement id"),
            "itemId": to_bytes32(a.item_id, "item id"),
            "consumerId": to_bytes32(a.consumer_id, "consumer id"),
            "policyId": to_bytes32(a.policy_id, "policy id"),
            "clauseId": to_bytes32(a.clause_id, "clause id"),
            "permission": int(parse_permission(a.permission)),
            "firstDueAt": a.first_due_at,
            "period": a.period_seconds,
            "periods": a.periods,
            "callsPerPeriod": a.calls_per_period,
        }
        return self._transact(provider, "DEPARTMENT", "commitAgreement", request)

    def record_delivery(
        self, provider: Actor, agreement_id: str, delivery: DeliveryCreate
    ) -> TxRef:
        """Record one period's delivery; the payload never goes on chain, its digest does."""
        return self._transact(
            provider,
            "DEPARTMENT",
            "recordDelivery",
            to_bytes32(agreement_id, "agreement id"),
            delivery.period,
            delivery.record_count,
            digest_bytes(delivery.payload_digest),
        )

    def mark_missed(self, agreement_id: str, period: int, *, by: Signer | None = None) -> TxRef:
        """Mark an overdue period missed (anyone may; the admin's key by default)."""
        return self._transact(
            by, "", "markMissed", to_bytes32(agreement_id, "agreement id"), period
        )

    def revoke_agreement(self, provider: Actor, agreement_id: str) -> TxRef:
        return self._transact(
            provider, "DEPARTMENT", "revokeAgreement", to_bytes32(agreement_id, "agreement id")
        )

    def due_at(self, agreement_id: str, period: int) -> int:
        return int(self._call("dueAt", to_bytes32(agreement_id, "agreement id"), period))

    def period_status(self, agreement_id: str, period: int) -> PeriodStatus:
        raw = self._call("periodStatus", to_bytes32(agreement_id, "agreement id"), period)
        return PeriodStatus(int(raw))


__all__ = [
    "AgreementCreate",
    "CatalogItemCreate",
    "DataSharingContract",
    "DeliveryCreate",
    "PeriodStatus",
    "Permission",
    "PermissionName",
    "from_bytes32",
    "parse_permission",
]
