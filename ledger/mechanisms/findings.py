"""The Findings contract: a missed obligation target, addressed to a department, until closed."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from web3.types import TxReceipt

from ledger.chain.keystore import Signer
from ledger.errors import LedgerValueError
from ledger.ids import from_bytes32, to_bytes32
from ledger.mechanisms.base import ContractWrapper


class FindingStatus(IntEnum):
    NONE = 0
    OPEN = 1
    RESPONDED = 2
    ACCEPTED = 3
    OVERDUE = 4


def _digest(value: bytes, what: str) -> bytes:
    if not isinstance(value, bytes | bytearray) or len(value) != 32:
        raise LedgerValueError(f"{what} must be 32 bytes")
    return bytes(value)


@dataclass(frozen=True)
class Finding:
    finding_id: str
    status: FindingStatus
    score_id: int
    policy_id: str
    clause_id: str
    metric: str
    department_id: str
    deadline: int
    detail_digest: str
    was_overdue: bool


class FindingsContract(ContractWrapper):
    NAME = "Findings"

    def raise_finding(
        self,
        auditor: Signer,
        *,
        finding_id: str,
        score_id: int,
        policy_id: str,
        clause_id: str,
        metric: str,
        department_id: str,
        deadline: int,
        detail_digest: bytes,
    ) -> TxReceipt:
        """Raise a finding from a published score. Only AUDITOR."""
        request = {
            "findingId": to_bytes32(finding_id, "finding id"),
            "scoreId": score_id,
            "policyId": to_bytes32(policy_id, "policy id"),
            "clauseId": to_bytes32(clause_id, "clause id"),
            "metric": to_bytes32(metric, "metric"),
            "departmentId": to_bytes32(department_id, "department id"),
            "deadline": deadline,
            "detailDigest": _digest(detail_digest, "detail digest"),
        }
        return self._send(auditor, "raiseFinding", request)

    def respond(
        self, department: Signer, finding_id: str, plan_digest: bytes, evidence_digest: bytes
    ) -> TxReceipt:
        """The addressed department's rectification plan and evidence (their digests)."""
        return self._send(
            department,
            "respond",
            to_bytes32(finding_id, "finding id"),
            _digest(plan_digest, "plan digest"),
            _digest(evidence_digest, "evidence digest"),
        )

    def review(
        self, auditor: Signer, finding_id: str, *, accept: bool, note_digest: bytes
    ) -> TxReceipt:
        """Accept (close) or reject the pending response. Only AUDITOR."""
        return self._send(
            auditor,
            "review",
            to_bytes32(finding_id, "finding id"),
            accept,
            _digest(note_digest, "note digest"),
        )

    def mark_overdue(self, caller: Signer, finding_id: str) -> TxReceipt:
        return self._send(caller, "markOverdue", to_bytes32(finding_id, "finding id"))

    def finding_of(self, finding_id: str) -> Finding:
        f = self._call_record("findingOf", to_bytes32(finding_id, "finding id"))
        return Finding(
            finding_id=finding_id,
            status=FindingStatus(int(f["status"])),
            score_id=int(f["scoreId"]),
            policy_id=from_bytes32(bytes(f["policyId"])),
            clause_id=from_bytes32(bytes(f["clauseId"])),
            metric=from_bytes32(bytes(f["metric"])),
            department_id=from_bytes32(bytes(f["departmentId"])),
            deadline=int(f["deadline"]),
            detail_digest="0x" + bytes(f["detailDigest"]).hex(),
            was_overdue=bool(f["wasOverdue"]),
        )


__all__ = ["Finding", "FindingStatus", "FindingsContract"]
