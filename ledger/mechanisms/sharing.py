"""The DataSharing contract: catalog items, agreements and deliveries."""

from __future__ import annotations

from enum import IntEnum

from web3.types import TxReceipt

from ledger.chain.keystore import Signer
from ledger.errors import LedgerValueError
from ledger.ids import from_bytes32, to_bytes32
from ledger.mechanisms.base import ContractWrapper


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


class DataSharingContract(ContractWrapper):
    NAME = "DataSharing"

    def register_item(
        self,
        provider: Signer,
        item_id: str,
        data_type: str,
        permission: Permission,
        disclosure: str,
    ) -> TxReceipt:
        return self._send(
            provider,
            "registerItem",
            to_bytes32(item_id, "item id"),
            to_bytes32(data_type, "data type"),
            int(permission),
            to_bytes32(disclosure, "disclosure method"),
        )

    def commit_agreement(
        self,
        provider: Signer,
        *,
        agreement_id: str,
        item_id: str,
        consumer_id: str,
        policy_id: str,
        clause_id: str,
        permission: Permission,
        first_due_at: int,
        period: int,
        periods: int,
        calls_per_period: int,
    ) -> TxReceipt:
        request = {
            "agreementId": to_bytes32(agreement_id, "agreement id"),
            "itemId": to_bytes32(item_id, "item id"),
            "consumerId": to_bytes32(consumer_id, "consumer id"),
            "policyId": to_bytes32(policy_id, "policy id"),
            "clauseId": to_bytes32(clause_id, "clause id"),
            "permission": int(permission),
            "firstDueAt": first_due_at,
            "period": period,
            "periods": periods,
            "callsPerPeriod": calls_per_period,
        }
        return self._send(provider, "commitAgreement", request)

    def record_delivery(
        self, provider: Signer, agreement_id: str, period: int, record_count: int, digest: bytes
    ) -> TxReceipt:
        return self._send(
            provider,
            "recordDelivery",
            to_bytes32(agreement_id, "agreement id"),
            period,
            record_count,
            digest,
        )

    def mark_missed(self, signer: Signer, agreement_id: str, period: int) -> TxReceipt:
        return self._send(signer, "markMissed", to_bytes32(agreement_id, "agreement id"), period)

    def revoke_agreement(self, provider: Signer, agreement_id: str) -> TxReceipt:
        return self._send(provider, "revokeAgreement", to_bytes32(agreement_id, "agreement id"))

    def due_at(self, agreement_id: str, period: int) -> int:
        return int(self._call("dueAt", to_bytes32(agreement_id, "agreement id"), period))

    def period_status(self, agreement_id: str, period: int) -> PeriodStatus:
        raw = self._call("periodStatus", to_bytes32(agreement_id, "agreement id"), period)
        return PeriodStatus(int(raw))


__all__ = ["DataSharingContract", "PeriodStatus", "Permission", "from_bytes32", "parse_permission"]
