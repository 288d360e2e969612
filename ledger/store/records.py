"""Plain records shared by the indexer, the store and the maturity engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class EventRecord:
    """One decoded on-chain event, as the indexer stores it.

    ``args`` holds the decoded event arguments: ``bytes32`` ids as text
    (see :mod:`ledger.ids`), digests (arguments whose name ends in ``digest``
    or ``Digest``/``Digests``) as lowercase 0x-hex, integers as ``int``,
    booleans as ``bool``, addresses as checksummed text, arrays as lists.
    """

    block_number: int
    block_hash: str
    block_time: int
    tx_hash: str
    log_index: int
    contract: str
    event: str
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, str, int]:
        """The evidence key of MATURITY.md: (block number, tx hash, log index)."""
        return (self.block_number, self.tx_hash, self.log_index)
