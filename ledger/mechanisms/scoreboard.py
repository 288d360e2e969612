"""The ScoreBoard contract: published maturity scores."""

from __future__ import annotations

from dataclasses import dataclass

from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address
from web3.types import TxReceipt

from ledger.chain.keystore import Signer
from ledger.errors import LedgerValueError
from ledger.ids import from_bytes32, scope_to_bytes32
from ledger.mechanisms.base import ContractWrapper


def _hash32(hex_text: str, what: str) -> bytes:
    """A 32-byte hash given as (0x-)hex text."""
    text = hex_text.removeprefix("0x") if isinstance(hex_text, str) else ""
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise LedgerValueError(f"{what} must be 32 bytes of hex, not {hex_text!r}")
    return raw


@dataclass(frozen=True)
class PublishedScore:
    """What the chain holds of one published score."""

    score_id: int
    scope: str
    spec_hash: str
    as_of_block: int
    evidence_root: str
    result_hash: str
    window_start: int
    window_end: int
    publisher: ChecksumAddress
    published_at: int


class ScoreBoardContract(ContractWrapper):
    NAME = "ScoreBoard"

    def publish(
        self,
        scorer: Signer,
        *,
        scope: str,
        spec_hash: str,
        as_of_block: int,
        evidence_root: str,
        result_hash: str,
        window_start: int,
        window_end: int,
    ) -> TxReceipt:
        """Anchor a score result's hashes. Only SCORER."""
        request = {
            "scope": scope_to_bytes32(scope),
            "specHash": _hash32(spec_hash, "spec hash"),
            "asOfBlock": as_of_block,
            "evidenceRoot": _hash32(evidence_root, "evidence root"),
            "resultHash": _hash32(result_hash, "result hash"),
            "windowStart": window_start,
            "windowEnd": window_end,
        }
        return self._send(scorer, "publish", request)

    def count(self) -> int:
        return int(self._call("scoreCount"))

    def score_of(self, score_id: int) -> PublishedScore:
        """Score ``score_id``; reverts ScoreUnknown if there is none."""
        s = self._call_record("scoreOf", score_id)
        return PublishedScore(
            score_id=score_id,
            scope=from_bytes32(bytes(s["scope"])),
            spec_hash=bytes(s["specHash"]).hex(),
            as_of_block=int(s["asOfBlock"]),
            evidence_root=bytes(s["evidenceRoot"]).hex(),
            result_hash=bytes(s["resultHash"]).hex(),
            window_start=int(s["windowStart"]),
            window_end=int(s["windowEnd"]),
            publisher=to_checksum_address(s["publisher"]),
            published_at=int(s["publishedAt"]),
        )


__all__ = ["PublishedScore", "ScoreBoardContract"]
