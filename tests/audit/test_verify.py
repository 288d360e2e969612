"""The audit verifier against a ledger an outside auditor has tampered with by hand.

Each test copies the built ledger, changes one thing with nothing but ``sqlite3`` and
plain file edits, and checks that the audit fails in exactly the right area, names the
record and version, block/tx/log index, log sequence number, indicator or file, and
raises no false alarm elsewhere. Where a tamper also changes what a published score
recomputes to, the test says why.
"""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from eth_utils import keccak

from ledger.audit.checks import AuditReport, Check
from ledger.audit.verify import AuditSources, audit
from ledger.errors import NotFoundError
from tests.audit.conftest import (
    CHECKPOINTS,
    FINDING,
    LOG_ID,
    POLICY,
    SCORE_ID,
    connected,
    finding_file,
    opened,
    record_file,
    score_file,
    score_subject,
    seq_of_call,
    sha256_hex,
)

AREAS = ("records", "index", "effects", "findings", "scores")


def run_audit(home: Path, policy: str | None = None) -> AuditReport:
    with opened(home) as ledger:
        return audit(AuditSources.of(ledger), policy)


def failed(report: AuditReport) -> list[tuple[str, str]]:
    return [(c.area, c.subject) for c in report.failures]


def only(report: AuditReport, area: str, subject: str) -> Check:
    [check] = [c for c in report.checks if (c.area, c.subject) == (area, subject)]
    return check


def assert_passing(report: AuditReport, *areas: str) -> None:
    """Each of ``areas`` was checked, and every one of its checks passed."""
    for area in areas:
        checks = [c for c in report.checks if c.area == area]
        assert checks, f"no {area} check ran"
        assert all(c.ok for c in checks), [c for c in checks if not c.ok]


def others(*failing: str) -> tuple[str, ...]:
    return tuple(a for a in AREAS if a not in failing)


# -- the index, read by hand ------------------------------------------------------------


def index_db(home: Path) -> AbstractContextManager[sqlite3.Connection]:
    return connected(home / "index.sqlite")


def index_cursor(home: Path) -> int:
    with index_db(home) as db:
        (value,) = db.execute("SELECT value FROM meta WHERE key = 'cursor'").fetchone()
    return int(value)


def index_count(home: Path, where: str = "1 = 1", *params: Any) -> int:
    with index_db(home) as db:
        (count,) = db.execute(f"SELECT COUNT(*) FROM events WHERE {where}", params).fetchone()
    return int(count)


def first_delivery(home: Path) -> tuple[str, int, int, dict[str, Any]]:
    """``(tx_hash, log_index, block_number, args)`` of agr.household-civil's period-0 delivery."""
    with index_db(home) as db:
        rows = db.execute(
            "SELECT tx_hash, log_index, block_number, args FROM events"
            " WHERE event = 'DeliveryRecorded'"
        ).fetchall()
    [row] = [
        (tx, log, block, args)
        for tx, log, block, text in rows
        if (args := json.loads(text))["agreementId"] == "agr.household-civil"
        and args["period"] == 0
    ]
    return row


def ref(block: int, tx: str, log: int) -> str:
    return f"block {block}, tx {tx}, log {log} (DataSharing.DeliveryRecorded)"


def keccak_hex(data: bytes) -> str:
    return "0x" + keccak(data).hex()


def effects_db(home: Path) -> AbstractContextManager[sqlite3.Connection]:
    return connected(home / "effects" / "effects.sqlite")


# -- an untouched copy ----------------------------------------------------------------------


def test_an_untouched_ledger_passes_every_check(tampered_home: Path) -> None:
    report = run_audit(tampered_home)

    cursor, subject = index_cursor(tampered_home), score_subject(tampered_home)
    assert [(c.area, c.subject, c.ok) for c in report.checks] == [
        ("records", f"record {POLICY} v1", True),
        ("index", f"index up to block {cursor}", True),
        ("effects", f"checkpoint 1 of {LOG_ID} (size {CHECKPOINTS[0]})", True),
        ("effects", f"checkpoint 2 of {LOG_ID} (size {CHECKPOINTS[1]})", True),
        ("effects", f"checkpoints 1 → 2 of {LOG_ID}", True),
        ("findings", f"finding {FINDING} details", True),
        ("scores", subject, True),
        ("scores", f"{subject} recomputed", True),
    ]
    assert report.ok and report.notes == []
    assert report.verdict() == "all 8 checks passed"
    assert only(report, "index", f"index up to block {cursor}").detail == (
        f"{index_count(tampered_home)} events up to block {cursor} match the chain (every event)"
    )
    assert only(report, "records", f"record {POLICY} v1").detail == (
        f"the stored bytes hash to the anchored 0x{record_file(tampered_home).stem}"
    )
    assert all(c.where is None for c in report.checks)


def test_an_untouched_policy_trail_passes(tampered_home: Path) -> None:
    report = run_audit(tampered_home, POLICY)

    cursor = index_cursor(tampered_home)
    trail = index_count(tampered_home, "policy_id = ? OR event = 'ScorePublished'", POLICY)
    assert 0 < trail < index_count(tampered_home)
    assert report.ok and report.verdict() == "all 8 checks passed"
    assert only(report, "index", f"index up to block {cursor}").detail == (
        f"{trail} events up to block {cursor} match the chain (policy {POLICY}'s trail)"
    )
    assert_passing(report, *AREAS)


def test_auditing_an_unknown_policy_is_refused(tampered_home: Path) -> None:
    with opened(tampered_home) as ledger, pytest.raises(NotFoundError) as err:
        audit(AuditSources.of(ledger), "no.such")
    assert (err.value.kind, err.value.ident) == ("policy", "no.such")


# -- records --------------------------------------------------------------------------------


def test_an_edited_record_fails_naming_the_policy_version_and_file(tampered_home: Path) -> None:
    path = record_file(tampered_home)
    text = path.read_text(encoding="utf-8")
    assert text.count('"target":0.9}') == 1
    path.write_text(text.replace('"target":0.9}', '"target":0.8}'), encoding="utf-8")

    report = run_audit(tampered_home)

    subject = score_subject(tampered_home)
    assert failed(report) == [
        ("records", f"record {POLICY} v1"),
        ("scores", f"{subject} recomputed"),
    ]
    check = only(report, "records", f"record {POLICY} v1")
    assert check.detail == (
        f"the stored bytes hash to {keccak_hex(path.read_bytes())}, not the anchored 0x{path.stem}"
        " (the record was altered after anchoring)"
    )
    assert check.where == f"{POLICY} v1: {path}"
    # The recomputation uses only records whose bytes hash to their anchored digests:
    # without the policy, the linkage (I2) and execution (I3) indicators change.
    recomputed = only(report, "scores", f"{subject} recomputed")
    assert f"not the anchored {score_file(tampered_home).stem}" in recomputed.detail
    assert "indicator I2 (" in recomputed.detail and "indicator I3 (" in recomputed.detail
    assert recomputed.where is not None and recomputed.where.startswith("score 1: indicator I2 (")
    assert only(report, "scores", subject).ok  # the stored result itself is untouched
    assert_passing(report, "index", "effects", "findings")


def test_a_deleted_record_is_reported_missing(tampered_home: Path) -> None:
    path = record_file(tampered_home)
    path.unlink()

    report = run_audit(tampered_home)

    check = only(report, "records", f"record {POLICY} v1")
    assert (check.ok, check.detail, check.where) == (
        False,
        "the stored record is missing",
        f"{POLICY} v1: {path}",
    )
    assert failed(report) == [
        ("records", f"record {POLICY} v1"),
        ("scores", f"{score_subject(tampered_home)} recomputed"),
    ]
    assert_passing(report, "index", "effects", "findings")


# -- the index ------------------------------------------------------------------------------


def test_a_changed_index_row_names_its_block_tx_log_and_argument(tampered_home: Path) -> None:
    tx, log, block, args = first_delivery(tampered_home)
    assert args["recordCount"] == 100
    with index_db(tampered_home) as db:
        db.execute(
            "UPDATE events SET args = ? WHERE tx_hash = ? AND log_index = ?",
            (json.dumps(args | {"recordCount": 5}), tx, log),
        )

    report = run_audit(tampered_home)

    cursor, total = index_cursor(tampered_home), index_count(tampered_home)
    assert failed(report) == [
        ("index", f"index up to block {cursor}"),
        ("index", f"event {ref(block, tx, log)}"),
    ]
    assert only(report, "index", f"index up to block {cursor}").detail == (
        f"1 of {total} events up to block {cursor} differ from the chain (every event)"
    )
    check = only(report, "index", f"event {ref(block, tx, log)}")
    assert (
        check.detail
        == "the index row differs from the chain in args.recordCount: chain 100, index 5"
    )
    assert check.where == ref(block, tx, log)
    # Scores are recomputed from a fresh read of the chain, never from the index.
    assert_passing(report, *others("index"))


def test_a_changed_index_row_fails_the_policy_trail_too(tampered_home: Path) -> None:
    tx, log, block, args = first_delivery(tampered_home)
    with index_db(tampered_home) as db:
        db.execute(
            "UPDATE events SET args = ? WHERE tx_hash = ? AND log_index = ?",
            (json.dumps(args | {"onTime": False}), tx, log),
        )

    report = run_audit(tampered_home, POLICY)

    check = only(report, "index", f"event {ref(block, tx, log)}")
    assert check.detail == (
        "the index row differs from the chain in args.onTime: chain True, index False"
    )
    assert check.where == ref(block, tx, log)
    assert_passing(report, *others("index"))


def test_a_deleted_index_row_is_located_and_not_restored(tampered_home: Path) -> None:
    tx, log, block, _ = first_delivery(tampered_home)
    total = index_count(tampered_home)
    with index_db(tampered_home) as db:
        db.execute("DELETE FROM events WHERE tx_hash = ? AND log_index = ?", (tx, log))

    report = run_audit(tampered_home)

    cursor = index_cursor(tampered_home)
    assert failed(report) == [
        ("index", f"index up to block {cursor}"),
        ("index", f"event {ref(block, tx, log)}"),
    ]
    assert only(report, "index", f"index up to block {cursor}").detail == (
        f"1 of {total} events up to block {cursor} differ from the chain (every event)"
    )
    check = only(report, "index", f"event {ref(block, tx, log)}")
    assert check.detail == "the event is on chain but missing from the index (the row was deleted)"
    assert check.where == ref(block, tx, log)
    assert_passing(report, *others("index"))
    # The audit reads; it does not sync the index and so quietly put the row back.
    assert index_count(tampered_home) == total - 1


def test_an_inserted_index_row_is_never_emitted(tampered_home: Path) -> None:
    tx, log, block, _ = first_delivery(tampered_home)
    fake = "0x" + "ab" * 32
    with index_db(tampered_home) as db:
        row = db.execute(
            "SELECT * FROM events WHERE tx_hash = ? AND log_index = ?", (tx, log)
        ).fetchone()
        db.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (fake, *row[1:]))
    total = index_count(tampered_home)

    report = run_audit(tampered_home)

    cursor = index_cursor(tampered_home)
    assert failed(report) == [
        ("index", f"index up to block {cursor}"),
        ("index", f"index row {ref(block, fake, log)}"),
    ]
    assert only(report, "index", f"index up to block {cursor}").detail == (
        f"1 of {total} events up to block {cursor} differ from the chain (every event)"
    )
    check = only(report, "index", f"index row {ref(block, fake, log)}")
    assert check.detail == "the index holds an event the chain never emitted (the row was inserted)"
    assert check.where == ref(block, fake, log)
    assert_passing(report, *others("index"))


# -- the effect log -------------------------------------------------------------------------


def test_an_altered_entry_is_located_by_its_seq(tampered_home: Path) -> None:
    seq = seq_of_call(120)  # in checkpoint 2 only
    with effects_db(tampered_home) as db:
        (body,) = db.execute("SELECT body FROM entries WHERE seq = ?", (seq,)).fetchone()
        altered = re.sub(rb'"records":\d+', b'"records":999', body)
        assert altered != body
        db.execute("UPDATE entries SET body = ? WHERE seq = ?", (altered, seq))

    report = run_audit(tampered_home)

    assert failed(report) == [
        ("effects", f"entry {seq}"),
        ("effects", f"checkpoint 2 of {LOG_ID} (size 300)"),
    ]
    entry = only(report, "effects", f"entry {seq}")
    assert (
        entry.detail == "the entry's bytes do not hash to its stored leaf (the entry was altered)"
    )
    assert entry.where == f"{LOG_ID} seq {seq}"
    checkpoint = only(report, "effects", f"checkpoint 2 of {LOG_ID} (size 300)")
    assert checkpoint.detail.startswith("the entries recompute to root ")
    assert checkpoint.where == f"{LOG_ID} checkpoint 2, entries 150..299"
    assert [c.where for c in report.failures if "seq" in (c.where or "")] == [f"{LOG_ID} seq {seq}"]
    # Checkpoint 1 covers entries 0..149 only; the tree files are untouched, so they still
    # prove the two checkpoints consistent.
    assert only(report, "effects", f"checkpoint 1 of {LOG_ID} (size 150)").ok
    assert only(report, "effects", f"checkpoints 1 → 2 of {LOG_ID}").ok
    # Scores count the entries' columns, which still agree with the stored leaf.
    assert_passing(report, *others("effects"))


@pytest.mark.parametrize(
    ("column", "value", "described", "rescored"),
    [
        # Within the granted level either way: the recomputed score does not change.
        ("permission", 1, "permission: entry 2, column 1", None),
        ("records", 99, "records: entry 5, column 99", None),
        # Above the granted level: one call fewer within permission, so D3 differs.
        ("permission", 3, "permission: entry 2, column 3", "indicator D3 (numerator, raw)"),
    ],
)
def test_an_altered_entry_column_is_located_by_its_seq(
    tampered_home: Path, column: str, value: int, described: str, rescored: str | None
) -> None:
    seq = seq_of_call(110)  # conditional (2), 110 % 7 == 5 records
    with effects_db(tampered_home) as db:
        db.execute(f"UPDATE entries SET {column} = ? WHERE seq = ?", (value, seq))

    report = run_audit(tampered_home)

    entry = only(report, "effects", f"entry {seq}")
    assert (entry.ok, entry.where) == (False, f"{LOG_ID} seq {seq}")
    assert entry.detail == f"the stored columns disagree with the entry: {described}"
    # The body, and so the leaf and the roots, are untouched.
    for subject in (
        f"checkpoint 1 of {LOG_ID} (size 150)",
        f"checkpoint 2 of {LOG_ID} (size 300)",
        f"checkpoints 1 → 2 of {LOG_ID}",
    ):
        assert only(report, "effects", subject).ok
    subject = score_subject(tampered_home)
    if rescored is None:
        assert failed(report) == [("effects", f"entry {seq}")]
        assert_passing(report, *others("effects"))
    else:
        # The recomputation counts the stored columns: the effects check says which is wrong.
        assert failed(report) == [("effects", f"entry {seq}"), ("scores", f"{subject} recomputed")]
        recomputed = only(report, "scores", f"{subject} recomputed")
        assert recomputed.detail.endswith(f"; differs in {rescored}")
        assert recomputed.where == f"score {SCORE_ID}: {rescored}"
        assert only(report, "scores", subject).ok
        assert_passing(report, *others("effects", "scores"))


@pytest.mark.parametrize(("keep", "missing"), [(200, (2,)), (100, (1, 2))])
def test_a_truncated_log_says_which_entries_are_missing(
    tampered_home: Path, keep: int, missing: tuple[int, ...]
) -> None:
    with effects_db(tampered_home) as db:
        db.execute("DELETE FROM entries WHERE seq >= ?", (keep,))

    report = run_audit(tampered_home)

    subject = score_subject(tampered_home)
    assert failed(report) == [
        *[("effects", f"checkpoint {i} of {LOG_ID} (size {CHECKPOINTS[i - 1]})") for i in missing],
        ("scores", f"{subject} recomputed"),
    ]
    for i in missing:
        size = CHECKPOINTS[i - 1]
        check = only(report, "effects", f"checkpoint {i} of {LOG_ID} (size {size})")
        assert check.detail == (
            f"the stored log holds {keep} entries but the checkpoint anchors {size}:"
            f" entries {keep} to {size - 1} are missing (the log was truncated)"
        )
        assert check.where == f"{LOG_ID} seq {keep}"
    if 1 not in missing:
        assert only(report, "effects", f"checkpoint 1 of {LOG_ID} (size 150)").ok
    # No consistency is claimed for a checkpoint whose entries are gone.
    assert not [c for c in report.checks if c.subject.startswith("checkpoints ")]
    # The recomputation counts the calls left: volume (D2) and permission (D3) differ.
    recomputed = only(report, "scores", f"{subject} recomputed")
    assert "indicator D2 (" in recomputed.detail and "indicator D3 (" in recomputed.detail
    assert_passing(report, "records", "index", "findings")


# -- scores and findings --------------------------------------------------------------------


def test_an_altered_score_result_names_the_indicator(tampered_home: Path) -> None:
    path = score_file(tampered_home)
    result = json.loads(path.read_bytes())
    [m3] = [i for i in result["indicators"] if i["id"] == "M3"]
    assert m3["score"] == 0.625
    m3["score"] = 0.95
    path.write_text(json.dumps(result), encoding="utf-8")

    report = run_audit(tampered_home)

    subject = score_subject(tampered_home)
    assert failed(report) == [("scores", subject)]
    check = only(report, "scores", subject)
    assert check.detail.startswith(f"the stored result {path.name} hashes to ")
    assert check.detail.endswith(
        f", not the anchored {path.stem} (it was altered after publishing);"
        " it differs from the recomputed result in indicator M3 (score)"
    )
    assert check.where == f"score {SCORE_ID}: {path.name}, indicator M3 (score)"
    assert only(report, "scores", f"{subject} recomputed").ok
    assert_passing(report, *others("scores"))


def test_a_deleted_score_result_is_reported_missing(tampered_home: Path) -> None:
    path, subject = score_file(tampered_home), score_subject(tampered_home)
    path.unlink()

    report = run_audit(tampered_home)

    check = only(report, "scores", subject)
    assert (check.ok, check.detail, check.where) == (
        False,
        f"the stored result {path.name} is missing",
        f"score {SCORE_ID}",
    )
    assert failed(report) == [("scores", subject)]
    assert only(report, "scores", f"{subject} recomputed").ok
    assert_passing(report, *others("scores"))


def test_an_altered_finding_detail_fails_the_findings_check(tampered_home: Path) -> None:
    path = finding_file(tampered_home)
    anchored = sha256_hex(path.read_bytes())
    text = path.read_text(encoding="utf-8")
    assert text.count('"observed":0.875') == 1
    path.write_text(text.replace('"observed":0.875', '"observed":0.95'), encoding="utf-8")

    report = run_audit(tampered_home)

    assert failed(report) == [("findings", f"finding {FINDING} details")]
    check = only(report, "findings", f"finding {FINDING} details")
    assert check.detail == (
        f"the stored details hash to {sha256_hex(path.read_bytes())}, not the anchored"
        f" {anchored} (they were altered)"
    )
    assert check.where == str(path)
    assert_passing(report, *others("findings"))


def test_a_deleted_finding_detail_is_reported_missing(tampered_home: Path) -> None:
    path = finding_file(tampered_home)
    path.unlink()

    report = run_audit(tampered_home, POLICY)

    check = only(report, "findings", f"finding {FINDING} details")
    assert (check.ok, check.detail, check.where) == (
        False,
        "the stored details are missing",
        str(path),
    )
    assert failed(report) == [("findings", f"finding {FINDING} details")]
    assert_passing(report, *others("findings"))
