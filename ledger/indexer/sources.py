"""Where the indexer reads logs from: any JSON-RPC node, or the embedded chain directly.

eth-tester answers ``eth_getLogs`` by looking every log's transaction up by hash, a scan
back through the whole chain each time, so a range of n blocks costs O(n^2). The embedded
source reads each block's receipts straight from py-evm instead: O(n).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol

from eth_typing import BlockNumber, ChecksumAddress
from eth_utils import to_canonical_address, to_checksum_address
from hexbytes import HexBytes
from web3 import Web3
from web3.datastructures import AttributeDict

from ledger.chain.embedded import PersistentPyEVMBackend

#: block number -> (block hash 0x-hex, block time)
BlockInfo = dict[int, tuple[str, int]]


class LogSource(Protocol):
    def logs(
        self, first: int, last: int, addresses: Collection[ChecksumAddress]
    ) -> tuple[list[Any], BlockInfo]:
        """Logs of ``addresses`` in blocks ``first..last``, and hash and time of each block
        that has one of them (and of ``last``)."""
        ...


class RpcLogSource:
    def __init__(self, w3: Web3) -> None:
        self.w3 = w3

    def logs(
        self, first: int, last: int, addresses: Collection[ChecksumAddress]
    ) -> tuple[list[Any], BlockInfo]:
        logs = list(
            self.w3.eth.get_logs({"fromBlock": first, "toBlock": last, "address": list(addresses)})
        )
        info: BlockInfo = {}
        for number in {int(log["blockNumber"]) for log in logs} | {last}:
            block = self.w3.eth.get_block(number)
            info[number] = (block["hash"].to_0x_hex(), int(block["timestamp"]))
        return logs, info


class EmbeddedLogSource:
    def __init__(self, backend: PersistentPyEVMBackend) -> None:
        self.backend = backend

    def logs(
        self, first: int, last: int, addresses: Collection[ChecksumAddress]
    ) -> tuple[list[Any], BlockInfo]:
        chain = self.backend.chain
        wanted = {to_canonical_address(a) for a in addresses}
        logs: list[Any] = []
        info: BlockInfo = {}
        for number in range(first, last + 1):
            block = chain.get_canonical_block_by_number(BlockNumber(number))
            found = False
            if block.transactions:
                receipts = block.get_receipts(chain.chaindb)
                log_index = 0
                for tx_index, (tx, receipt) in enumerate(
                    zip(block.transactions, receipts, strict=True)
                ):
                    for log in receipt.logs:
                        if log.address in wanted:
                            found = True
                            logs.append(
                                AttributeDict(
                                    {
                                        "address": to_checksum_address(log.address),
                                        "topics": [
                                            HexBytes(t.to_bytes(32, "big")) for t in log.topics
                                        ],
                                        "data": HexBytes(log.data),
                                        "blockNumber": number,
                                        "blockHash": HexBytes(block.hash),
                                        "transactionHash": HexBytes(tx.hash),
                                        "transactionIndex": tx_index,
                                        "logIndex": log_index,
                                        "removed": False,
                                    }
                                )
                            )
                        log_index += 1
            if found or number == last:
                info[number] = ("0x" + block.hash.hex(), int(block.header.timestamp))
        return logs, info
