"""The Attestations contract: versioned attested statistics (shares in [0, 1])."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address
from web3.types import TxReceipt

from ledger.chain.keystore import Signer
from ledger.errors import LedgerValueError
from ledger.ids import from_bytes32, to_bytes32
from ledger.mechanisms.base import ContractWrapper

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


class AttestationsContract(ContractWrapper):
    NAME = "Attestations"

    def attest(
        self,
        statistician: Signer,
        *,
        key: str,
        value: float,
        period: str,
        source_digest: bytes,
        policy_id: str,
        clause_id: str,
    ) -> TxReceipt:
        """Attest ``value`` (a share in [0, 1]) for ``key`` and ``period``, superseding the
        key's previous attestation. Only a STATISTICIAN."""
        if not isinstance(source_digest, bytes | bytearray) or len(source_digest) != 32:
            raise LedgerValueError("source digest must be 32 bytes")
        request = {
            "key": to_bytes32(key, "statistic key"),
            "valuePpm": share_to_ppm(value),
            "period": to_bytes32(period, "period"),
            "sourceDigest": bytes(source_digest),
            "policyId": to_bytes32(policy_id, "policy id"),
            "clauseId": to_bytes32(clause_id, "clause id"),
        }
        return self._send(statistician, "attest", request)

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


__all__ = ["PPM", "Attestation", "AttestationsContract", "share_to_ppm"]
