"""The indexer is idempotent, resumable, atomic per batch and follows reorgs."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.core import Ledger
from ledger.indexer.follower import Indexer
from ledger.mechanisms.sharing import Permission
from ledger.store.sql import EventStore


def register(ledger: Ledger, item_id: str) -> None:
    ledger.register_item("dcity.security", item_id, "household", Permission.OPEN, "open")


def items(store: EventStore) -> list[str]:
    return [e.args["itemId"] for e in store.events(names=["CatalogItemRegistered"])]


def test_a_second_sync_adds_nothing(ledger: Ledger) -> None:
    ledger.indexer.sync()
    register(ledger, "item.idem")
    first = ledger.indexer.sync()
    assert first.added == 1
    before = ledger.store.count()
    again = ledger.indexer.sync()
    assert (again.added, ledger.store.count()) == (0, before)


def test_events_are_decoded_with_ids_as_text_and_digests_as_hex(ledger: Ledger) -> None:
    ledger.indexer.sync()
    [anchor] = ledger.store.events(names=["PolicyAnchored"], policy_id="test.sharing")
    assert anchor.args["clauseIds"] == ["c1", "c2", "c3", "c4"]
    assert anchor.args["digest"].startswith("0x") and len(anchor.args["digest"]) == 66
    assert anchor.args["element"] == "data_governance"
    assert anchor.block_hash == ledger.w3.eth.get_block(anchor.block_number)["hash"].to_0x_hex()


def test_a_new_indexer_resumes_from_the_stored_cursor(ledger: Ledger) -> None:
    ledger.indexer.sync()
    cursor = ledger.store.cursor()
    register(ledger, "item.resume")
    fresh = Indexer(ledger.w3, ledger.deployment, EventStore(ledger.settings.index_url()))
    report = fresh.sync()
    assert report.from_block == (cursor or 0) + 1
    assert report.added == 1
    assert "item.resume" in items(ledger.store)


def test_a_batch_that_fails_half_way_leaves_nothing_behind(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.indexer.sync()
    cursor = ledger.store.cursor()
    count = ledger.store.count()
    register(ledger, "item.crash")

    def boom(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(EventStore, "_put", boom)  # fails after the events were inserted
    with pytest.raises(RuntimeError, match="power cut"):
        ledger.indexer.sync()
    monkeypatch.undo()
    assert (ledger.store.cursor(), ledger.store.count()) == (cursor, count)
    assert ledger.indexer.sync().added == 1


def test_a_reorg_rolls_back_the_abandoned_branch(ledger: Ledger) -> None:
    provider = ledger.w3.provider
    ledger.indexer.sync()
    snapshot = provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    register(ledger, "item.abandoned")
    ledger.indexer.sync()
    assert "item.abandoned" in items(ledger.store)
    provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
    register(ledger, "item.canonical")
    report = ledger.indexer.sync()
    assert report.rolled_back == 1
    got = items(ledger.store)
    assert "item.abandoned" not in got and "item.canonical" in got


def test_the_embedded_log_source_reads_what_eth_get_logs_reads(ledger: Ledger) -> None:
    from ledger.indexer.sources import EmbeddedLogSource, RpcLogSource

    register(ledger, "item.sources")
    assert ledger.handle.backend is not None
    addresses = [ref.address for ref in ledger.deployment.contracts.values()]
    head = ledger.w3.eth.block_number
    fast, fast_info = EmbeddedLogSource(ledger.handle.backend).logs(0, head, addresses)
    slow, slow_info = RpcLogSource(ledger.w3).logs(0, head, addresses)

    def shape(log: Any) -> tuple[object, ...]:
        return (
            log["address"],
            [bytes(t) for t in log["topics"]],
            bytes(log["data"]),
            int(log["blockNumber"]),
            bytes(log["blockHash"]),
            bytes(log["transactionHash"]),
            int(log["logIndex"]),
        )

    assert [shape(x) for x in fast] == [shape(x) for x in slow]
    assert len(fast) > 10
    assert fast_info == slow_info
