"""Small value types shared by every layer; this module imports nothing of the project's own."""

from __future__ import annotations

from dataclasses import dataclass, field

from web3.types import TxReceipt


@dataclass(frozen=True)
class TxRef:
    """Where a transaction landed (and its receipt, for callers that read its logs)."""

    tx_hash: str
    block_number: int
    gas_used: int
    receipt: TxReceipt | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, receipt: TxReceipt) -> TxRef:
        return cls(
            receipt["transactionHash"].to_0x_hex(),
            int(receipt["blockNumber"]),
            int(receipt["gasUsed"]),
            receipt,
        )
