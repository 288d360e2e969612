"""The chain's clock: the latest block's time, and moving it forward where the chain allows.

On the embedded chain time travel goes through the py-evm backend; on a JSON-RPC node
through ``evm_setNextBlockTimestamp`` and ``evm_mine`` (hardhat and anvil answer them).
"""

from __future__ import annotations

from ledger.chain.factory import ChainHandle
from ledger.errors import LedgerValueError


class ChainClock:
    """Chain time, in UNIX seconds of block timestamps."""

    def __init__(self, handle: ChainHandle) -> None:
        self.handle = handle

    def now(self) -> int:
        """The timestamp of the latest block."""
        return int(self.handle.w3.eth.get_block("latest")["timestamp"])

    def advance_time(self, seconds: int) -> int:
        """Move the chain's clock forward and mine a block; returns the new block time."""
        if seconds < 0:
            raise LedgerValueError("time only moves forward")
        target = self.now() + seconds
        w3 = self.handle.w3
        if self.handle.backend is not None:
            self.handle.backend.time_travel(target)
        else:
            w3.provider.make_request("evm_setNextBlockTimestamp", [target])  # type: ignore[arg-type]
            w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
        return self.now()

    def set_next_block_time(self, timestamp: int) -> None:
        """Let the next block carry ``timestamp`` (later than the latest block), mining nothing."""
        if timestamp <= self.now():
            raise LedgerValueError("time only moves forward")
        if self.handle.backend is not None:
            chain = self.handle.backend.chain
            chain.header = chain.header.copy(timestamp=timestamp)
        else:
            self.handle.w3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])  # type: ignore[arg-type]
