"""``govledger audit|score|finding`` as an auditor runs them, in process, on copies of one
built ledger (tests/audit/conftest.py): pass, fail with where, JSON, and clear errors."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from _pytest.capture import CaptureResult
from typer.testing import CliRunner, Result

from ledger.cli.main import app, main
from tests.audit.conftest import (
    FINDING,
    ISSUER,
    POLICY,
    SCORE_ID,
    connected,
    score_file,
    score_subject,
    shared_home,
)
from tests.conftest import TEST_PASSWORD

ENV = {"GOVLEDGER_KEYSTORE_PASSWORD": TEST_PASSWORD, "COLUMNS": "400"}


@pytest.fixture(scope="module")
def audit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_home(tmp_path_factory)


@pytest.fixture
def ledger_home(audit_home: Path, tmp_path: Path) -> Path:
    """This test's own copy of the built ledger."""
    return Path(shutil.copytree(audit_home, tmp_path / "home"))


def govledger(home: Path, *args: str) -> Result:
    return CliRunner().invoke(app, [*args, "--home", str(home)], env=ENV)


def lines(result: Result) -> list[str]:
    return result.stdout.strip().splitlines()


def tamper_index(home: Path) -> tuple[str, int, int]:
    """Set the first DeliveryRecorded row's recordCount to 5; its (tx, log, block)."""
    with connected(home / "index.sqlite") as db:
        tx, log, block, text = db.execute(
            "SELECT tx_hash, log_index, block_number, args FROM events"
            " WHERE event = 'DeliveryRecorded' ORDER BY block_number, log_index LIMIT 1"
        ).fetchone()
        args = json.loads(text) | {"recordCount": 5}
        db.execute(
            "UPDATE events SET args = ? WHERE tx_hash = ? AND log_index = ?",
            (json.dumps(args), tx, log),
        )
    return tx, log, block


def tamper_score(home: Path) -> None:
    path = score_file(home)
    result = json.loads(path.read_bytes())
    [m3] = [i for i in result["indicators"] if i["id"] == "M3"]
    m3["score"] = 0.95
    path.write_text(json.dumps(result), encoding="utf-8")


# -- audit verify -----------------------------------------------------------------------


def test_audit_verify_passes_on_an_untouched_ledger(ledger_home: Path) -> None:
    result = govledger(ledger_home, "audit", "verify")

    assert result.exit_code == 0, result.output
    out = lines(result)
    assert out[-1] == "all 8 checks passed"
    assert len([line for line in out if line.startswith("PASS ")]) == 8
    assert "FAIL" not in result.stdout and "where:" not in result.stdout
    assert f"PASS records record {POLICY} v1: the stored bytes hash to the anchored 0x" in (
        result.stdout
    )

    trail = govledger(ledger_home, "audit", "verify", "--policy", POLICY)
    assert trail.exit_code == 0, trail.output
    assert f"(policy {POLICY}'s trail)" in trail.stdout
    assert lines(trail)[-1] == "all 8 checks passed"


def test_audit_verify_fails_after_a_tamper_and_says_where(ledger_home: Path) -> None:
    tx, log, block = tamper_index(ledger_home)
    where = f"block {block}, tx {tx}, log {log} (DataSharing.DeliveryRecorded)"

    result = govledger(ledger_home, "audit", "verify")

    assert result.exit_code == 1, result.output
    out = lines(result)
    assert out[-1] == "2 of 9 checks failed"
    failing = [i for i, line in enumerate(out) if line.startswith("FAIL ")]
    assert len(failing) == 2
    row = out.index(
        f"FAIL index event {where}: the index row differs from the chain in"
        " args.recordCount: chain 100, index 5"
    )
    assert out[row + 1] == f"      where: {where}"
    assert out[failing[0]].startswith("FAIL index index up to block ")
    assert not out[failing[0] + 1].lstrip().startswith("where:")  # a summary has no place
    assert len([line for line in out if line.startswith("PASS ")]) == 7


def test_audit_verify_json_lists_the_failing_check(ledger_home: Path) -> None:
    tx, log, block = tamper_index(ledger_home)

    result = govledger(ledger_home, "audit", "verify", "--json")

    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert (data["ok"], data["verdict"], data["notes"]) == (False, "2 of 9 checks failed", [])
    failing = [c for c in data["checks"] if not c["ok"]]
    assert [c["area"] for c in failing] == ["index", "index"]
    where = f"block {block}, tx {tx}, log {log} (DataSharing.DeliveryRecorded)"
    assert failing[1] == {
        "area": "index",
        "subject": f"event {where}",
        "ok": False,
        "detail": "the index row differs from the chain in args.recordCount: chain 100, index 5",
        "where": where,
    }
    assert {c["area"] for c in data["checks"] if c["ok"]} == {
        "records",
        "effects",
        "findings",
        "scores",
    }


# -- score ------------------------------------------------------------------------------


def test_score_verify_passes_then_fails_once_the_stored_result_is_altered(
    ledger_home: Path,
) -> None:
    subject = score_subject(ledger_home)
    clean = govledger(ledger_home, "score", "verify", str(SCORE_ID))
    assert clean.exit_code == 0, clean.output
    assert lines(clean) == [
        f"PASS scores {subject}: the stored result matches the anchored hashes",
        f"PASS scores {subject} recomputed: recomputing from the chain gives the anchored"
        f" result_hash {score_file(ledger_home).stem}",
        "all 2 checks passed",
    ]

    tamper_score(ledger_home)
    altered = govledger(ledger_home, "score", "verify", str(SCORE_ID))

    assert altered.exit_code == 1, altered.output
    out = lines(altered)
    assert out[-1] == "1 of 2 checks failed"
    assert out[0].startswith(f"FAIL scores {subject}: the stored result ")
    assert out[0].endswith("it differs from the recomputed result in indicator M3 (score)")
    assert out[1] == (
        f"      where: score {SCORE_ID}: {score_file(ledger_home).name}, indicator M3 (score)"
    )
    assert out[2].startswith(f"PASS scores {subject} recomputed")


def main_fails(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *args: str,
    code: int = 1,
) -> CaptureResult[str]:
    """Run ``govledger ARGS --home HOME`` as the console script does, which must exit with
    ``code`` (1 unless told); what it printed."""
    monkeypatch.setenv("GOVLEDGER_KEYSTORE_PASSWORD", TEST_PASSWORD)
    monkeypatch.setenv("COLUMNS", "400")
    monkeypatch.setattr(sys, "argv", ["govledger", *args, "--home", str(home)])

    with pytest.raises(SystemExit) as exited:
        main()

    assert exited.value.code == code
    return capsys.readouterr()


def test_score_verify_of_an_unknown_score_is_a_clear_error(
    ledger_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = main_fails(ledger_home, monkeypatch, capsys, "score", "verify", "99")

    assert out.err.strip() == "error: published score '99' not found"
    assert "Traceback" not in out.err and out.out == ""


@pytest.mark.parametrize(
    "args",
    [
        ["finding", "review", "F9", "--accept"],
        ["finding", "overdue", "F9"],
        [
            "finding",
            "respond",
            "F9",
            "--department",
            "dcity.govoffice",
            "--plan",
            __file__,
            "--evidence",
            __file__,
        ],
    ],
    ids=["review", "overdue", "respond"],
)
def test_an_unknown_finding_is_a_clear_error(
    args: list[str],
    ledger_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = main_fails(ledger_home, monkeypatch, capsys, *args)

    assert out.err.strip() == "error: finding 'F9' not found"


def test_score_without_a_subcommand_prints_the_score(ledger_home: Path) -> None:
    result = govledger(ledger_home, "score")

    assert result.exit_code == 0, result.output
    assert "Overall level: L1 Initial" in result.stdout
    assert "M3 │ sharing fulfilment" in result.stdout
    assert "result_hash " in result.stdout


def test_score_spec_version(ledger_home: Path) -> None:
    from ledger.maturity.spec import load_spec

    v1 = json.loads(govledger(ledger_home, "score", "--spec", "1", "--json").stdout)
    v2 = json.loads(govledger(ledger_home, "score", "--json").stdout)

    assert (v1["spec_version"], v1["spec_hash"]) == (1, load_spec(1).spec_hash)
    assert (v2["spec_version"], v2["spec_hash"]) == (2, load_spec(2).spec_hash)


def test_score_of_an_unknown_spec_version_is_a_clear_error(
    ledger_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = main_fails(ledger_home, monkeypatch, capsys, "score", "--spec", "9")

    assert out.err.strip() == "error: maturity spec v9: no such spec version"


def test_score_clauses_and_series(ledger_home: Path) -> None:
    clauses = json.loads(govledger(ledger_home, "score", "--clauses", "--json").stdout)
    series = govledger(
        ledger_home, "score", "--series", "--windows", "2", "--window-days", "30", "--json"
    )

    assert clauses["spec_version"] == 2
    assert clauses["clauses"]
    for row in clauses["clauses"]:
        assert row["status"] in {"executed", "not executed"}
        assert (
            (row["executed"] is None) == (row["status"] == "not executed") == (row["days"] is None)
        )
    points = json.loads(series.stdout)["points"]
    assert len(points) == 2
    assert [p["window"]["end"] - p["window"]["start"] for p in points] == [30 * 86_400] * 2
    assert points[0]["as_of"]["block"] <= points[1]["as_of"]["block"]
    table = govledger(ledger_home, "score", "--clauses")
    assert table.exit_code == 0, table.output
    assert "Conversion cycle per clause (spec v2" in table.stdout
    both = govledger(ledger_home, "score", "--clauses", "--series")
    assert both.exit_code != 0
    assert "--clauses and --series are separate views" in both.output


def test_a_score_published_under_v1_verifies_under_v1(ledger_home: Path) -> None:
    published = govledger(ledger_home, "score", "publish", "--spec", "1", "--json")
    assert published.exit_code == 0, published.output
    data = json.loads(published.stdout)
    from ledger.maturity.spec import load_spec

    assert data["spec_hash"] == load_spec(1).spec_hash
    verified = govledger(ledger_home, "score", "verify", str(data["score_id"]))
    audited = govledger(ledger_home, "audit", "verify")

    assert verified.exit_code == 0, verified.output
    assert "FAIL" not in verified.stdout
    assert audited.exit_code == 0, audited.output
    assert f"score {data['score_id']} (city" in audited.stdout
    assert "FAIL" not in audited.stdout


# -- finding ----------------------------------------------------------------------------


def test_finding_list_json(ledger_home: Path) -> None:
    result = govledger(ledger_home, "finding", "list", "--json")

    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert {k: row[k] for k in ("finding_id", "status", "department_id", "policy_id")} == {
        "finding_id": FINDING,
        "status": "Open",
        "department_id": ISSUER,
        "policy_id": POLICY,
    }
    assert (row["clause_id"], row["metric"], row["score_id"], row["was_overdue"]) == (
        "c2",
        "M3",
        SCORE_ID,
        False,
    )
    other = govledger(ledger_home, "finding", "list", "--department", "dcity.civil", "--json")
    assert json.loads(other.stdout) == []


def test_finding_respond_with_a_missing_plan_file_is_a_clear_error(
    ledger_home: Path, tmp_path: Path
) -> None:
    evidence = tmp_path / "evidence.txt"
    evidence.write_text("delivery log")
    plan = tmp_path / "no-such-plan.txt"

    result = govledger(
        ledger_home, "finding", "respond", FINDING, "--department", ISSUER,
        "--plan", str(plan), "--evidence", str(evidence),
    )  # fmt: skip

    assert result.exit_code == 1
    assert " ".join(result.stderr.split()) == f"error: {plan}: no such file"
    assert not isinstance(result.exception, Exception)  # refused, not crashed


def test_finding_respond_then_review_accept(ledger_home: Path, tmp_path: Path) -> None:
    plan, evidence = tmp_path / "plan.txt", tmp_path / "evidence.txt"
    plan.write_text("Deliver every feed a day early.")
    evidence.write_text("delivery log, weeks 9-12")

    responded = govledger(
        ledger_home, "finding", "respond", FINDING, "--department", ISSUER,
        "--plan", str(plan), "--evidence", str(evidence),
    )  # fmt: skip
    assert responded.exit_code == 0, responded.output
    assert responded.stdout.startswith(f"finding {FINDING}: response recorded in block ")

    accepted = govledger(ledger_home, "finding", "review", FINDING, "--accept")
    assert accepted.exit_code == 0, accepted.output
    assert accepted.stdout.startswith(f"finding {FINDING} accepted: the finding is closed (block ")

    [row] = json.loads(govledger(ledger_home, "finding", "list", "--json").stdout)
    assert (row["finding_id"], row["status"]) == (FINDING, "Accepted")
