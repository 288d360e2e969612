"""The Attestations contract: versioned attested statistics (shares in [0, 1])."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address
from pydantic import Field

from ledger.chain.types import TxRef
from ledger.errors import LedgerValueError
from ledger.ids import from_bytes32, to_bytes32
from ledger.mechanisms.base import Actor, ContractWrapper
from ledger.mechanisms.fields import Digest, Id, Request, digest_bytes

#: Parts per million in a share of 1: values go on chain as integer ppm.
PPM = 1_000_000


def share_to_ppm(share: float) -> int:
    """A share in [0, 1] as parts per million, rounded to the nearest (half to even)."""
    if isinstance(share, bool) or not isinstance(share, int | float):
        raise LedgerValueError(f"a statistic's value must be a number in [0, 1], not {share!r}")
    if not math.isfinite(share) or not 0 <= share <= 1:
        raise LedgerValueError(f"a statistic's value is a share in [0, 1]; {share!r} is outside it")
    return round(share * PPM)


@dataclass(frozen=True)
class Attestation:
    """One version of a statistic's attested value."""

    key: str
    version: int
    value_ppm: int
    period: str
    source_digest: str
    policy_id: str
    clause_id: str
    attester: ChecksumAddress
    attested_at: int

    @property
    def value(self) -> float:
        """The attested share in [0, 1]."""
        return self.value_ppm / PPM


class StatisticCreate(Request):
    """An attested statistic: a share in [0, 1] for a period, from a source (by digest)."""

    key: Id
    value: Annotated[float, Field(ge=0, le=1, description="A share in [0, 1], e.g. 0.9.")]
    period: Id = Field(examples=["2025"])
    source_digest: Digest
    policy_id: Id
    clause_id: Id


class AttestationsContract(ContractWrapper):
    NAME = "Attestations"

    def attest(self, statistician: Actor, statistic: StatisticCreate) -> TxRef:
        """Attest a share in [0, 1] for a key and period, superseding the key's previous
        attestation. Only a STATISTICIAN."""
        st = statistic
        request = {
            "key": to_bytes32(st.key, "statistic key"),
            "valuePpm": share_to_ppm(st.value),
            "period": to_bytes32(st.period, "period"),
            "sourceDigest": digest_bytes(st.source_digest),
            "policyId": to_bytes32(st.policy_id, "policy id"),
            "clauseId": to_bytes32(st.clause_id, "clause id"),
        }
        return self._transact(statistician, "STATISTICIAN", "attest", request)

    def latest(self, key: str) -> Attestation:
        """The attestation in force for ``key``; reverts StatisticUnknown if none."""
        found = self._call_record("latest", to_bytes32(key, "statistic key"))
        return self._attestation(key, int(found["version"]), found["attestation"])

    def attestation_of(self, key: str, version: int) -> Attestation:
        """Version ``version`` of ``key``, in force or superseded."""
        found = self._call_record("attestationOf", to_bytes32(key, "statistic key"), version)
        return self._attestation(key, version, found)

    @staticmethod
    def _attestation(key: str, version: int, fields: Mapping[str, Any]) -> Attestation:
        return Attestation(
            key=key,
            version=version,
            value_ppm=int(fields["valuePpm"]),
            period=from_bytes32(bytes(fields["period"])),
            source_digest="0x" + bytes(fields["sourceDigest"]).hex(),
            policy_id=from_bytes32(bytes(fields["policyId"])),
            clause_id=from_bytes32(bytes(fields["clauseId"])),
            attester=to_checksum_address(fields["attester"]),
            attested_at=int(fields["attestedAt"]),
        )


__all__ = ["PPM", "Attestation", "AttestationsContract", "StatisticCreate", "share_to_ppm"]
