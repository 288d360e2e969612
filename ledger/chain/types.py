"""Value types of the chain layer, shared by every layer above it.

This module imports nothing of the project's own (as ``web3/types.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from web3.types import TxReceipt


@dataclass(frozen=True)
class TxRef:
    """Where a transaction landed."""

    tx_hash: str
    block_number: int
    gas_used: int

    @classmethod
    def of(cls, receipt: TxReceipt) -> TxRef:
        return cls(
            receipt["transactionHash"].to_0x_hex(),
            int(receipt["blockNumber"]),
            int(receipt["gasUsed"]),
        )
