"""Tampering at the edges: rows beyond the cursor, a lost log configuration, the
result_hash member of a stored score, an entry's bytes stored as TEXT."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ledger.audit.verify import AuditSources, audit
from tests.audit.conftest import LOG_ID, opened, score_file, seq_of_call

FORGED = "0x" + "cd" * 32


def test_a_forged_index_row_beyond_the_cursor_is_reported(tampered_home: Path) -> None:
    with sqlite3.connect(tampered_home / "index.sqlite") as db:
        row = db.execute("SELECT * FROM events WHERE event = 'DeliveryRecorded' LIMIT 1").fetchone()
        db.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (FORGED, 0, 5000, *row[3:]),
        )
    with opened(tampered_home) as ledger:
        served = [e.tx_hash for e in ledger.store.events(names=["DeliveryRecorded"])]
        report = audit(AuditSources.of(ledger))
    assert FORGED in served
    [failure] = [c for c in report.failures if c.area == "index" and c.where]
    assert failure.where == f"block 5000, tx {FORGED}, log 0 (DataSharing.DeliveryRecorded)"
    assert "never emitted" in failure.detail


def test_a_missing_effect_log_is_reported_in_the_effects_area(tampered_home: Path) -> None:
    (tampered_home / "effects" / "log.json").unlink()
    with opened(tampered_home) as ledger:
        report = audit(AuditSources.of(ledger))
    effects = [c for c in report.checks if c.area == "effects"]
    assert [(c.ok, c.where) for c in effects] == [(False, LOG_ID)]
    assert "holds no effect log" in effects[0].detail


def test_an_altered_result_hash_member_is_reported(tampered_home: Path) -> None:
    path = score_file(tampered_home)
    result = json.loads(path.read_bytes())
    result["result_hash"] = "00" * 32
    path.write_text(json.dumps(result), encoding="utf-8")
    with opened(tampered_home) as ledger:
        report = audit(AuditSources.of(ledger))
    [failure] = report.failures
    assert failure.area == "scores"
    assert "says result_hash '" + "00" * 32 + "'" in failure.detail


def test_an_entry_body_edited_as_text_is_reported_not_a_crash(tampered_home: Path) -> None:
    seq = seq_of_call(120)
    with sqlite3.connect(tampered_home / "effects" / "effects.sqlite") as db:
        db.execute(
            "UPDATE entries SET body = replace(CAST(body AS TEXT), '\"system\":', '\"system\": ')"
            " WHERE seq = ?",
            (seq,),
        )
    with opened(tampered_home) as ledger:
        report = audit(AuditSources.of(ledger))
    entry, checkpoint = report.failures
    assert (entry.where, entry.detail) == (
        f"{LOG_ID} seq {seq}",
        "the entry's bytes do not hash to its stored leaf (the entry was altered)",
    )
    assert checkpoint.where == f"{LOG_ID} checkpoint 2, entries 150..299"
    assert "not the anchored" in checkpoint.detail


def test_the_same_bytes_stored_as_text_are_no_alarm(tampered_home: Path) -> None:
    seq = seq_of_call(120)
    with sqlite3.connect(tampered_home / "effects" / "effects.sqlite") as db:
        db.execute("UPDATE entries SET body = CAST(body AS TEXT) WHERE seq = ?", (seq,))
    with opened(tampered_home) as ledger:
        assert audit(AuditSources.of(ledger)).ok


def test_a_non_numeric_block_number_is_reported_not_a_crash(tampered_home: Path) -> None:
    with sqlite3.connect(tampered_home / "index.sqlite") as db:
        tx, log, block = db.execute(
            "SELECT tx_hash, log_index, block_number FROM events"
            " WHERE event = 'AgreementCommitted' LIMIT 1"
        ).fetchone()
        db.execute(
            "UPDATE events SET block_number = 'soon' WHERE tx_hash = ? AND log_index = ?",
            (tx, log),
        )
    with opened(tampered_home) as ledger:
        report = audit(AuditSources.of(ledger))
    located = [c for c in report.failures if c.where]
    assert [c.where for c in located] == [
        f"block {block}, tx {tx}, log {log} (DataSharing.AgreementCommitted)"
    ]
    assert f"block_number: chain {block}, index -1" in located[0].detail
