"""Offline bundles: exported from a ledger, checked without it, with and without the chain."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.audit.bundle import FORMAT, check_bundle, export_bundle
from ledger.audit.verify import AuditSources
from ledger.chain.factory import make_web3
from ledger.cli.main import app
from ledger.errors import NotFoundError, StoreError
from ledger.i18n import UnsupportedLanguageError
from ledger.settings import Settings
from tests.audit.conftest import CHECKPOINTS, FINDING, LOG_ID, POLICY, SCORE_ID, opened

ENV = {"COLUMNS": "200", "NO_COLOR": "1"}


@pytest.fixture
def bundle(tampered_home: Path, tmp_path: Path) -> Path:
    out = tmp_path / "elsewhere" / "bundle"
    with opened(tampered_home) as ledger:
        export_bundle(AuditSources.of(ledger), POLICY, out)
    return out


def _rewrite(bundle: Path, name: str, data: bytes) -> None:
    """Change a file and, like a careful forger, its digest in the manifest."""
    (bundle / name).write_bytes(data)
    manifest = json.loads((bundle / "manifest.json").read_bytes())
    manifest["files"][name] = hashlib.sha256(data).hexdigest()
    (bundle / "manifest.json").write_text(json.dumps(manifest))


def test_the_bundle_holds_every_documented_part(bundle: Path) -> None:
    manifest = json.loads((bundle / "manifest.json").read_bytes())
    assert manifest["format"] == FORMAT
    assert manifest["policy_id"] == POLICY
    assert sorted(manifest["files"]) == [
        "README.md",
        "checks.json",
        "effects/checkpoints.json",
        "effects/entries.jsonl",
        "findings.json",
        f"records/{POLICY}.v1.json",
        "report.html",
        "score/publication.json",
        "score/result.json",
        "trail.json",
    ]
    events = json.loads((bundle / "trail.json").read_bytes())["events"]
    names = {e["event"] for e in events}
    assert {"PolicyAnchored", "AgreementCommitted", "DeliveryRecorded", "ScorePublished"} <= names
    assert {"FindingRaised", "CheckpointAnchored"} <= names
    assert all({"block_number", "block_hash", "tx_hash", "log_index"} <= set(e) for e in events)
    checkpoints = json.loads((bundle / "effects/checkpoints.json").read_bytes())
    assert [c["tree_size"] for c in checkpoints] == list(CHECKPOINTS)
    entries = (bundle / "effects/entries.jsonl").read_bytes().splitlines()
    assert entries and all(json.loads(e)["checkpoint"] == 2 for e in entries)
    findings = json.loads((bundle / "findings.json").read_bytes())
    assert [f["finding_id"] for f in findings] == [FINDING]
    assert json.loads((bundle / "score/publication.json").read_bytes())["score_id"] == SCORE_ID
    report = (bundle / "report.html").read_text()
    assert "<svg" in report and FINDING in report and "PolicyAnchored" in report
    assert json.loads((bundle / "checks.json").read_bytes())["ok"] is True


def test_an_untouched_bundle_checks_offline_and_against_the_chain(
    bundle: Path, tampered_home: Path
) -> None:
    offline = check_bundle(bundle)
    assert offline.ok, offline.failures
    assert {c.area for c in offline.checks} == {
        "bundle",
        "records",
        "effects",
        "scores",
        "findings",
    }
    handle = make_web3(Settings(home=tampered_home))
    try:
        online = check_bundle(bundle, handle)
    finally:
        handle.close()
    assert online.ok, online.failures
    chain = [c.subject for c in online.checks if c.area == "chain"]
    assert chain[0] == "chain identity"
    assert "completeness" in chain
    assert f"checkpoint 2 of {LOG_ID}" in chain
    assert f"score {SCORE_ID}" in chain


def test_an_altered_file_is_found_by_its_digest(bundle: Path) -> None:
    path = bundle / f"records/{POLICY}.v1.json"
    path.write_bytes(path.read_bytes().replace(b"dcity", b"dCity", 1))
    report = check_bundle(bundle)
    failures = {(c.area, c.where) for c in report.failures}
    assert failures == {
        ("bundle", f"records/{POLICY}.v1.json"),
        ("records", f"records/{POLICY}.v1.json"),
    }


def test_a_forged_entry_fails_its_inclusion_proof(bundle: Path) -> None:
    lines = (bundle / "effects/entries.jsonl").read_bytes().splitlines()
    item = json.loads(lines[3])
    item["entry"] = item["entry"].replace('"records":', '"records":1', 1)
    lines[3] = json.dumps(item, sort_keys=True).encode()
    _rewrite(bundle, "effects/entries.jsonl", b"\n".join(lines) + b"\n")
    report = check_bundle(bundle)
    assert [c.where for c in report.failures if c.where] == [
        f"effects/entries.jsonl line 4, seq {item['seq']}"
    ]


def test_a_forged_score_result_fails_its_hash(bundle: Path) -> None:
    result = json.loads((bundle / "score/result.json").read_bytes())
    result["M"] = 0.99
    _rewrite(bundle, "score/result.json", json.dumps(result).encode())
    report = check_bundle(bundle)
    [failure] = report.failures
    assert (failure.area, failure.subject, failure.where) == (
        "scores",
        f"score {SCORE_ID} result hash",
        "score/result.json",
    )


def test_a_bundle_left_out_events_fail_completeness_against_the_chain(
    bundle: Path, tampered_home: Path
) -> None:
    trail = json.loads((bundle / "trail.json").read_bytes())
    dropped = next(e for e in trail["events"] if e["event"] == "DeliveryRecorded")
    trail["events"].remove(dropped)
    _rewrite(bundle, "trail.json", json.dumps(trail).encode())
    assert check_bundle(bundle).ok  # nothing inside the bundle can tell
    handle = make_web3(Settings(home=tampered_home))
    try:
        report = check_bundle(bundle, handle)
    finally:
        handle.close()
    located = [c.where for c in report.failures if c.where]
    assert located == [
        f"block {dropped['block_number']}, tx {dropped['tx_hash']}, log {dropped['log_index']}"
    ]


def test_another_chain_is_refused(bundle: Path, tmp_path: Path) -> None:
    handle = make_web3(Settings(home=tmp_path / "other"))
    try:
        report = check_bundle(bundle, handle)
    finally:
        handle.close()
    [failure] = report.failures
    assert failure.subject == "chain identity"


def test_export_refuses_a_used_directory_and_an_unknown_policy(
    tampered_home: Path, tmp_path: Path
) -> None:
    used = tmp_path / "used"
    used.mkdir()
    (used / "keep.txt").write_text("mine")
    with opened(tampered_home) as ledger:
        with pytest.raises(StoreError, match="not an empty directory"):
            export_bundle(AuditSources.of(ledger), POLICY, used)
        with pytest.raises(NotFoundError):
            export_bundle(AuditSources.of(ledger), "no.such", tmp_path / "new")
    assert (used / "keep.txt").read_text() == "mine"


def test_a_directory_without_a_manifest_is_no_bundle(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"no manifest\.json"):
        check_bundle(tmp_path)


def test_the_cli_exports_and_checks_on_another_directory(
    tampered_home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "b"
    exported = CliRunner().invoke(
        app,
        ["audit", "export", "--policy", POLICY, "--out", str(out), "--home", str(tampered_home)],
        env=ENV,
    )
    assert exported.exit_code == 0, exported.output
    moved = shutil.copytree(out, tmp_path / "copied")
    offline = CliRunner().invoke(app, ["audit", "check-bundle", str(moved)], env=ENV)
    assert offline.exit_code == 0, offline.output
    assert "checked for internal consistency only" in offline.stdout
    online = CliRunner().invoke(
        app,
        ["audit", "check-bundle", str(moved), "--chain-dir", str(tampered_home), "--json"],
        env=ENV,
    )
    assert online.exit_code == 0, online.output
    assert json.loads(online.stdout)["ok"] is True
    (moved / "score/result.json").write_text("{}")
    broken = CliRunner().invoke(app, ["audit", "check-bundle", str(moved)], env=ENV)
    assert broken.exit_code == 1
    assert "FAIL bundle score/result.json" in broken.stdout


def test_the_report_is_written_in_the_language_asked_for(
    tampered_home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "zh"
    exported = CliRunner().invoke(
        app,
        [
            "audit", "export", "--policy", POLICY, "--out", str(out),
            "--home", str(tampered_home), "--lang", "zh-CN",
        ],
        env=ENV,
    )  # fmt: skip
    assert exported.exit_code == 0, exported.output
    report = (out / "report.html").read_text()
    assert '<html lang="zh-CN">' in report
    assert f"<h1>审计报告：{POLICY}</h1>" in report
    assert '<h2 id="contents-title">目录</h2>' in report
    assert not check_bundle(out).failures  # its digest is in the manifest like any file's
    refused = CliRunner().invoke(
        app,
        [
            "audit", "export", "--policy", POLICY, "--out", str(tmp_path / "fr"),
            "--home", str(tampered_home), "--lang", "fr",
        ],
        env=ENV,
    )  # fmt: skip
    assert refused.exit_code == 2
    assert "unsupported language 'fr': choose one of en, zh-CN" in refused.output
    assert not (tmp_path / "fr").exists()
    with opened(tampered_home) as ledger, pytest.raises(UnsupportedLanguageError):
        export_bundle(AuditSources.of(ledger), POLICY, tmp_path / "de", lang="de")
    assert not (tmp_path / "de").exists()
