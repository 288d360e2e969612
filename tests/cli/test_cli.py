"""The command line as a user meets it: demo twice, verify, tampering, JSON, bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import cli_env, run_cli


def govledger(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env=cli_env(home))


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("cli") / "home"
    first = govledger(home, "demo", "--case", "sharing")
    assert first.returncode == 0, first.stderr
    assert "Overall level: L1 Initial" in first.stdout
    assert "M3" in first.stdout and "sharing fulfilment" in first.stdout
    assert "published on chain as score 1" in first.stdout
    assert (
        "finding F1-1 (Open): dcity.sharing#c2 missed its M3 target; addressed to dcity.govoffice"
        in first.stdout
    )
    return home


def test_demo_twice_reuses_the_same_ledger(demo_home: Path) -> None:
    again = govledger(demo_home, "demo", "--case", "sharing", "--json")
    assert again.returncode == 0, again.stderr
    data = json.loads(again.stdout)
    assert (data["demo"]["transactions"], data["demo"]["played"]) == (0, 0)
    assert data["demo"]["steps"] == 80
    assert data["score_id"] == 1  # nothing new happened: nothing published again
    assert [f["finding_id"] for f in data["findings"]] == ["F1-1"]
    m3 = next(i for i in data["score"]["indicators"] if i["id"] == "M3")
    assert (m3["numerator"], m3["denominator"], m3["status"]) == (52, 64, "RATED")
    d1 = next(i for i in data["score"]["indicators"] if i["id"] == "D1")
    assert (d1["numerator"], d1["denominator"]) == (7, 8)


def test_policy_list_and_verify_on_an_untouched_ledger(demo_home: Path) -> None:
    listed = govledger(demo_home, "policy", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    [policy] = json.loads(listed.stdout)
    assert policy["id"] == "dcity.sharing" and policy["recordStored"] is True
    verified = govledger(demo_home, "policy", "verify", "dcity.sharing")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.strip().endswith("verified")


def test_verify_names_the_record_and_both_digests_after_a_hand_edit(
    demo_home: Path, tmp_path: Path
) -> None:
    home = tmp_path / "tampered"
    shutil.copytree(demo_home, home)
    stored = next(p for p in (home / "records").glob("*.json") if p.name != "index.json")
    stored.write_text(stored.read_text().replace("0.95", "0.5"))
    out = govledger(home, "policy", "verify", "dcity.sharing", "--json")
    assert out.returncode == 1
    data = json.loads(out.stdout)
    assert data["verified"] is False
    [check] = data["versions"]
    assert check["version"] == 1 and check["ok"] is False
    assert check["anchored"] == "0x" + stored.stem
    assert check["stored"] != check["anchored"]
    text = govledger(home, "policy", "verify", "dcity.sharing")
    assert "MISMATCH dcity.sharing v1" in text.stdout and check["stored"] in text.stdout
    assert "NOT verified" in text.stdout


def test_anchoring_a_malformed_record_names_the_line(demo_home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "schema_version: 1\nid: dcity.bad\nversion: 1\nkind: policy\n"
        "element: data_governance\ntitle: Bad\nissuer: dcity.govoffice\n"
        "effective: 2024-01-01T00:00:00Z\nclauses:\n  - id: c1\n    text: T\n"
        "    obligation: {metric: D1, comparator: '=>', target: 0.9}\n"
    )
    out = govledger(demo_home, "policy", "anchor", str(bad))
    assert out.returncode == 1
    assert "bad.yaml line 12" in out.stderr and "comparator" in out.stderr
    assert "Traceback" not in out.stderr


def test_unknown_policy_is_a_clear_error(demo_home: Path) -> None:
    out = govledger(demo_home, "policy", "verify", "no.such")
    assert out.returncode == 1
    assert "policy 'no.such' not found" in out.stderr


def test_api_keys_are_shown_once_and_never_listed(demo_home: Path) -> None:
    created = govledger(demo_home, "apikey", "create", "dcity.security", "--label", "ci")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("glk_")
    listed = govledger(demo_home, "apikey", "list", "--json")
    assert key not in listed.stdout
    assert json.loads(listed.stdout)[-1]["department_id"] == "dcity.security"
    assert key not in (demo_home / "apikeys.json").read_text()


def test_an_auditor_key_names_no_department(demo_home: Path) -> None:
    created = govledger(demo_home, "apikey", "create", "--role", "auditor", "--label", "audit")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("glk_")
    assert "for the auditor (shown once)" in " ".join(created.stderr.split())
    listed = json.loads(govledger(demo_home, "apikey", "list", "--json").stdout)
    ours = [k for k in listed if k["label"] == "audit"]
    assert [(k["role"], k["department_id"]) for k in ours] == [("auditor", None)]
    assert key not in (demo_home / "apikeys.json").read_text()
    for args, reason in [
        (["--role", "auditor", "dcity.security"], "an auditor's key names none"),
        ([], "a department's key names its department"),
        (["--role", "admin", "dcity.security"], "'admin' is not one of department, auditor"),
    ]:
        refused = govledger(demo_home, "apikey", "create", *args)
        assert refused.returncode == 2, (args, refused.stdout)
        assert reason in " ".join(refused.stderr.split()), refused.stderr
        assert "glk_" not in refused.stdout


def test_help_explains_every_command(demo_home: Path) -> None:
    out = govledger(demo_home, "--help")
    for command in ("demo", "serve", "policy", "score", "index", "apikey"):
        assert command in out.stdout


def test_version(tmp_path: Path) -> None:
    done = govledger(tmp_path / "unused", "--version")
    assert (done.returncode, done.stdout.strip()) == (0, "govledger 0.1.0")
    assert not (tmp_path / "unused").exists()


def test_unknown_department_is_an_error_not_a_score(demo_home: Path) -> None:
    for args in (["score", "--department", "nope"], ["apikey", "create", "nope.dept"]):
        done = govledger(demo_home, *args)
        assert done.returncode == 1, (args, done.stdout)
        assert " ".join(done.stderr.split()) == "error: department 'nope' not found".replace(
            "nope", args[-1]
        )
        assert "glk_" not in done.stdout
