"""The effect log end to end: ingest, checkpoints the contract accepts, proofs anyone can check,
and T2, D2, D3 over what the checkpoints cover."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ledger.core import Ledger
from ledger.effects import merkle
from ledger.errors import NotFoundError, StoreError
from ledger.mechanisms.systems import SystemConnection, SystemCreate
from tests.conftest import found_city, make_settings, share_households

DAY = 86_400
LOG = "t.calls"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    home = tmp_path_factory.mktemp("effects") / "home"
    with Ledger.open(make_settings(home)) as ledger:
        found_city(ledger)
        share_households(ledger, "c3", ledger.clock.now() + DAY, 10 * DAY, disclosure="x")
        ledger.systems.register_system(
            "dcity.health",
            SystemCreate(
                system_id="sys.his", kind="business", heartbeat_seconds=3600, feeds_data_center=True
            ),
        )
        ledger.systems.connect(
            "dcity.health", "sys.his", SystemConnection(policy_id="test.sharing", clause_id="c4")
        )
        ledger.effects.seal_size = 10**9  # seal by command in these tests
        ledger.effects.seal_age = 10**9
        ledger.effects.open(LOG, "dcity.security", "test.sharing", "c3")
        yield ledger


def call(at: int, n: int, permission: str = "conditional") -> dict[str, Any]:
    return {
        "kind": "call",
        "agreement": "agr.hh",
        "system": "sys.civil",
        "at": at,
        "records": n,
        "permission": permission,
        "latency_ms": 12,
        "request_id": f"r{n}",
    }


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_ingest_reports_bad_lines_and_adds_the_rest(ledger: Ledger, tmp_path: Path) -> None:
    now = ledger.clock.now()
    good = [json.dumps(call(now - 1000 + i, i)) for i in range(40)]
    lines = [
        *good[:10],
        "{not json",
        json.dumps({**call(now, 99), "name": "Zhang San"}),
        json.dumps(call(now, 98, "secret")),
        *good[10:],
        good[0],
    ]
    report = ledger.effects.ingest_file(write_jsonl(tmp_path / "calls.jsonl", lines))
    assert (report.added, report.duplicates, report.rejected_count) == (40, 1, 3)
    assert [n for n, _ in report.rejected] == [11, 12, 13]
    assert "name" in report.rejected[1][1]
    again = ledger.effects.ingest_file(tmp_path / "calls.jsonl")
    assert again.added == 0


def test_checkpoints_are_anchored_and_proofs_verify_with_the_rfc_alone(ledger: Ledger) -> None:
    first = ledger.effects.seal()
    assert first is not None and first.tree_size == ledger.effects.store.size
    now = ledger.clock.now()
    batch = ledger.effects.ingest_entries(
        [call(now - 500 + i, 1000 + i) for i in range(25)]
        + [
            call(now - 1, 5000, "restricted"),
            {"kind": "heartbeat", "system": "sys.his", "at": now - 5},
        ]
        + [{"kind": "call"}]
    )
    assert (batch["added"], [r["index"] for r in batch["rejected"]]) == (27, [27])
    second = ledger.effects.seal()
    assert second is not None and second.index == first.index + 1
    assert ledger.effects.seal() is None  # nothing new

    # A proof reads the index as it is: it never syncs it (reads never write).
    cursor = ledger.store.cursor()
    unsynced = ledger.effects.prove(3)
    assert unsynced["checkpoint"]["tx"] is None
    assert ledger.store.cursor() == cursor
    ledger.indexer.sync()
    proof = ledger.effects.prove(3)
    assert {k: v for k, v in proof.items() if k != "checkpoint"} == {
        k: v for k, v in unsynced.items() if k != "checkpoint"
    }
    leaf = merkle.leaf_hash(proof["entry"].encode())
    assert leaf.hex() == proof["leaf_hash"]
    assert merkle.verify_inclusion(
        leaf,
        3,
        proof["tree_size"],
        [bytes.fromhex(p) for p in proof["proof"]],
        bytes.fromhex(proof["root"]),
    )
    assert proof["checkpoint"]["tx"] is not None

    cons = ledger.effects.consistency(first.index, second.index)
    assert merkle.verify_consistency(
        cons["first"]["tree_size"],
        cons["second"]["tree_size"],
        bytes.fromhex(cons["first"]["root"]),
        bytes.fromhex(cons["second"]["root"]),
        [bytes.fromhex(p) for p in cons["proof"]],
    )


def test_entries_not_yet_anchored_have_no_proof(ledger: Ledger) -> None:
    ledger.effects.ingest_entries([call(ledger.clock.now() - 7, 7777)])
    with pytest.raises(NotFoundError, match="not yet covered by a checkpoint"):
        ledger.effects.prove(ledger.effects.store.size - 1)


def test_scores_read_only_what_checkpoints_cover(ledger: Ledger) -> None:
    connected = ledger.store.events(names=["SystemConnected"])[0].block_time
    ledger.clock.advance_time(connected + 3 * 3600 + 10 - ledger.clock.now())
    ledger.indexer.sync()
    result = ledger.score(spec_version=1)  # v1: expected heartbeats rounded down
    by_id = {i["id"]: i for i in result["indicators"]}
    covered = ledger.effects.latest().tree_size
    assert covered == 67  # 40 + 27; the last entry waits for a checkpoint
    d3 = by_id["D3"]
    assert (d3["numerator"], d3["denominator"]) == (65, 66)  # one call used 'restricted'
    assert d3["status"] == "NOT_RATED"  # 66 calls < n_min 1,000
    assert [LOG, 0, covered - 1] in d3["evidence"]
    t2 = by_id["T2"]  # connected 3 h at one heartbeat an hour: 3 expected, 1 received
    assert (t2["numerator"], t2["denominator"], t2["status"]) == (1, 3, "NOT_RATED")
    d2 = by_id["D2"]  # 66 calls against 100 a period prorated over the agreement's term so far
    assert d2["numerator"] == 66 and d2["status"] == "RATED"


def test_an_altered_entry_is_detected(ledger: Ledger) -> None:
    store = ledger.effects.store
    db = sqlite3.connect(store.directory / "effects.sqlite")
    [(raw,)] = db.execute("SELECT body FROM entries WHERE seq = 5").fetchall()
    db.execute("UPDATE entries SET body = ? WHERE seq = 5", (bytes(raw).replace(b"12", b"13"),))
    db.commit()
    db.close()
    with pytest.raises(StoreError):
        store.verify()
