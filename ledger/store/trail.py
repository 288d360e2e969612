"""Lookups of the execution trail by block and by transaction, as a block explorer has them.

Each reads the header or receipt from the chain (what the chain says, whether or not
the ledger indexed anything there) and the decoded events from the index (sync it
first for the head). An unknown block or transaction is a :class:`NotFoundError`.
The API's ``/blocks/{number}`` and ``/transactions/{hash}`` and the dashboard's pages
serve these.
"""

from __future__ import annotations

from typing import Any

from web3 import Web3
from web3.exceptions import TransactionNotFound

from ledger.errors import NotFoundError
from ledger.store.sql import EventStore
from ledger.times import format_timestamp


def block_view(w3: Web3, store: EventStore, number: int) -> dict[str, Any]:
    """Block ``number``'s hash, parent, time and transactions, with its indexed events."""
    if number < 0 or number > int(w3.eth.block_number):
        raise NotFoundError("block", str(number))
    block = w3.eth.get_block(number)
    time = int(block["timestamp"])
    return {
        "number": number,
        "hash": block["hash"].to_0x_hex(),
        "parent_hash": block["parentHash"].to_0x_hex(),
        "time": time,
        "time_utc": format_timestamp(time),
        "transactions": [_hex(t) for t in block["transactions"]],
        "events": store.events(block=number),
    }


def transaction_view(w3: Web3, store: EventStore, tx_hash: str) -> dict[str, Any]:
    """Transaction ``tx_hash``'s block, sender, target and outcome, with its indexed events."""
    try:
        receipt = w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
    except TransactionNotFound:
        raise NotFoundError("transaction", tx_hash) from None
    number = int(receipt["blockNumber"])
    time = int(w3.eth.get_block(number)["timestamp"])
    to = receipt.get("to")
    return {
        "tx": receipt["transactionHash"].to_0x_hex(),
        "block": number,
        "block_hash": receipt["blockHash"].to_0x_hex(),
        "block_time": time,
        "block_time_utc": format_timestamp(time),
        "sender": str(receipt["from"]),
        "to": str(to) if to else None,
        "succeeded": int(receipt["status"]) == 1,
        "gas_used": int(receipt["gasUsed"]),
        "events": store.events(tx_hash=tx_hash),
    }


def _hex(value: Any) -> str:
    return value.to_0x_hex() if hasattr(value, "to_0x_hex") else str(value)


__all__ = ["block_view", "transaction_view"]
