"""The PolicyRegistry contract: anchors of versioned knowledge records."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.chain.types import TxRef
from ledger.ids import to_bytes32
from ledger.knowledge.canonical import clause_digest, record_digest
from ledger.knowledge.models import PolicyRecord
from ledger.mechanisms.base import Actor, ContractWrapper


@dataclass(frozen=True)
class AnchoredVersion:
    policy_id: str
    version: int
    digest: str
    effective_at: int


class PolicyRegistryContract(ContractWrapper):
    NAME = "PolicyRegistry"

    def anchor(self, issuer: Actor, record: PolicyRecord) -> TxRef:
        """Anchor ``record``: its digest, kind, element, effective time and clause digests."""
        return self._transact(issuer, "ISSUER", "anchorPolicy", self._anchor_args(record))

    def propose_city(self, issuer: Actor, record: PolicyRecord) -> TxRef:
        """Propose a city-level ``record``; two leaders' approvals anchor it."""
        return self._transact(issuer, "ISSUER", "proposeCityPolicy", self._anchor_args(record))

    def approve(self, leader: Actor, policy_id: str, version: int, digest: bytes) -> TxRef:
        return self._transact(
            leader, "LEADER", "approvePolicy", to_bytes32(policy_id, "policy id"), version, digest
        )

    def is_city_level(self, policy_id: str) -> bool:
        return bool(self._call("isCityLevel", to_bytes32(policy_id, "policy id")))

    @staticmethod
    def _anchor_args(record: PolicyRecord) -> dict[str, object]:
        """The contract's PolicyVersionRequest for ``record``."""
        return {
            "policyId": to_bytes32(record.id, "policy id"),
            "version": record.version,
            "digest": record_digest(record),
            "kind": to_bytes32(record.kind),
            "element": to_bytes32(record.element),
            "effectiveAt": int(record.effective.timestamp()),
            "clauseIds": [to_bytes32(c.id, "clause id") for c in record.clauses],
            "clauseDigests": [clause_digest(c) for c in record.clauses],
        }

    def revoke(self, issuer: Actor, policy_id: str) -> TxRef:
        return self._transact(issuer, "ISSUER", "revokePolicy", to_bytes32(policy_id, "policy id"))

    def state(self, policy_id: str) -> tuple[int, bool]:
        latest, revoked = self._call("policyState", to_bytes32(policy_id, "policy id"))
        return int(latest), bool(revoked)

    def version(self, policy_id: str, version: int) -> AnchoredVersion:
        digest, effective_at = self._call("versionOf", to_bytes32(policy_id, "policy id"), version)
        return AnchoredVersion(policy_id, version, "0x" + bytes(digest).hex(), int(effective_at))

    def clause_in_force(self, policy_id: str, clause_id: str) -> bool:
        return bool(
            self._call(
                "isClauseInForce",
                to_bytes32(policy_id, "policy id"),
                to_bytes32(clause_id, "clause id"),
            )
        )
