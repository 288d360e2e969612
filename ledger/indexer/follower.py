"""The indexer: reads logs by block range from the stored cursor.

- Idempotent: events are keyed by (tx hash, log index); a second run adds nothing.
- Resumable: cursor, events and block hashes are written in one transaction per batch.
- Reorg-aware: the hash of the last indexed block is compared with the chain before
  every run; on a mismatch the store is rolled back to the newest block that still
  matches, and indexing continues from there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from web3 import Web3

from ledger.chain.deployment import Deployment
from ledger.errors import ChainError
from ledger.indexer.decode import EventSpec, decode_log, event_specs
from ledger.indexer.sources import LogSource, RpcLogSource
from ledger.store.records import EventRecord
from ledger.store.sql import EventStore

Progress = Callable[[int, int], None]


@dataclass
class SyncReport:
    from_block: int
    to_block: int
    added: int
    rolled_back: int = 0


class Indexer:
    def __init__(
        self,
        w3: Web3,
        deployment: Deployment,
        store: EventStore,
        source: LogSource | None = None,
    ) -> None:
        self.w3 = w3
        self.source = source or RpcLogSource(w3)
        self.deployment = deployment
        self.store = store
        self._by_address = {ref.address: name for name, ref in deployment.contracts.items()}
        self._specs = event_specs(list(deployment.contracts))

    def sync(
        self, to_block: int | None = None, batch: int = 2000, progress: Progress | None = None
    ) -> SyncReport:
        """Index every block up to ``to_block`` (default: the chain head)."""
        rolled_back = self._check_reorg()
        head = self.w3.eth.block_number if to_block is None else to_block
        cursor = self.store.cursor()
        start = self.deployment.start_block if cursor is None else cursor + 1
        added = 0
        block = start
        while block <= head:
            end = min(block + batch - 1, head)
            added += self._index_range(block, end)
            if progress is not None:
                progress(end - start + 1, head - start + 1)
            block = end + 1
        return SyncReport(start, head, added, rolled_back)

    def _index_range(self, first: int, last: int) -> int:
        logs, block_info = self.source.logs(first, last, list(self._by_address))
        records: list[EventRecord] = []
        for log in logs:
            spec = self._match(log)
            if spec is None:
                continue
            number = int(log["blockNumber"])
            block_hash, block_time = block_info[number]
            records.append(
                EventRecord(
                    block_number=number,
                    block_hash=block_hash,
                    block_time=block_time,
                    tx_hash=log["transactionHash"].to_0x_hex(),
                    log_index=int(log["logIndex"]),
                    contract=spec.contract,
                    event=spec.name,
                    args=decode_log(self.w3, spec, log),
                )
            )
        hashes = {n: h for n, (h, _) in block_info.items()}
        return self.store.write_batch(records, hashes, last)

    def _match(self, log: Any) -> EventSpec | None:
        if not log["topics"]:
            return None
        contract = self._by_address.get(log["address"])
        for spec in self._specs.get(bytes(log["topics"][0]), []):
            if spec.contract == contract:
                return spec
        return None

    def _check_reorg(self) -> int:
        """Roll back indexed blocks that are no longer on the canonical chain."""
        cursor = self.store.cursor()
        if cursor is None:
            return 0
        last = self.store.last_indexed_block()
        if last is not None and self._chain_hash(last[0]) == last[1]:
            return 0  # the newest indexed block is still canonical: so is every older one
        for number, stored_hash in reversed(self.store.indexed_blocks()):
            if self._chain_hash(number) == stored_hash:
                return self.store.rollback_to(number)
        return self.store.rollback_to(self.deployment.start_block - 1)

    def _chain_hash(self, number: int) -> str | None:
        """Block ``number``'s hash on the chain; None when the chain has no such block."""
        try:
            return str(self.w3.eth.get_block(number)["hash"].to_0x_hex())
        except Exception as err:  # the block no longer exists on a shorter chain
            if "not found" not in str(err).lower():
                raise ChainError(f"cannot read block {number}: {err}") from err
            return None
