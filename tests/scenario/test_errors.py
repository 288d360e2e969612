"""Malformed scenario files, as README.md promises: "Errors name the file, the line and the
field: ``my.yaml line 14: agreements[0].period: expected a duration such as 30m, 12h or
7d``".

Each bad file is a small good town with one line changed; the line numbers below are
those of ``TOWN`` (its trailing comments number the lines that matter).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ledger.errors import LedgerError
from ledger.knowledge.loader import RecordParseError
from ledger.scenario.runner import load_scenario

ROOT = Path(__file__).resolve().parents[2]
GOOD = Path(__file__).parent / "data" / "river-town.yaml"

TOWN = """\
schema_version: 1
name: tiny-town
departments:
  - {id: t.office, name: Office, roles: [ISSUER]}
  - {id: t.water, name: Water Bureau}
  - {id: t.housing, name: Housing Bureau}
policies:
  - record:
      {schema_version: 1, id: t.share, version: 1, kind: policy, element: data_governance,
       title: Sharing, issuer: t.office, effective: '2026-01-01T00:00:00Z',
       clauses: [{id: c1, text: Share.}]}
catalog:
  - {id: item.meters, provider: t.water, type: meter-readings, permission: open}
agreements:
  - id: agr.meters                    # line 15
    item: item.meters                 # line 16
    consumer: t.housing               # line 17
    policy: t.share
    clause: c1
    permission: open
    first_due: 10d
    period: 30d                       # line 22
    periods: 2
timeline:
  - {at: 5d, miss: {agreement: agr.meters, period: 0}}   # line 25
"""


def write(tmp_path: Path, old: str, new: str, name: str = "town.yaml") -> Path:
    assert old in TOWN
    path = tmp_path / name
    path.write_text(TOWN.replace(old, new, 1), encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(LedgerError) as info:
        load_scenario(path)
    assert isinstance(info.value, RecordParseError)
    return str(info.value)


def test_the_template_is_a_good_scenario(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, "", ""))
    assert scenario.name == "tiny-town"


def test_bad_duration(tmp_path: Path) -> None:
    path = write(tmp_path, "period: 30d", "period: 30 days")
    assert f"{path} line 22: agreements[0].period: expected a duration such as 30m, 12h or 7d" in (
        error_of(path)
    )


def test_missing_required_field(tmp_path: Path) -> None:
    # The agreement's mapping starts on line 15; `item` is gone from it.
    path = write(tmp_path, "    item: item.meters                 # line 16\n", "")
    assert f"{path} line 15: agreements[0].item: is required" in error_of(path)


def test_missing_departments(tmp_path: Path) -> None:
    # README: "Every list may be left out except `departments`".
    text = TOWN.split("departments:")[0] + "catalog: []\n"
    path = tmp_path / "town.yaml"
    path.write_text(text, encoding="utf-8")
    assert f"{path} line 1: departments: is required" in error_of(path)


def test_unknown_department_in_an_agreement_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "consumer: t.housing", "consumer: t.nowhere")
    message = error_of(path)
    assert str(path) in message
    assert "t.nowhere" in message


def test_unknown_department_in_an_agreement_names_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, "consumer: t.housing", "consumer: t.nowhere")
    assert f"{path} line 17: agreements[0].consumer" in error_of(path)


def test_timeline_step_with_two_actions(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "miss: {agreement: agr.meters, period: 0}}",
        "miss: {agreement: agr.meters, period: 0}, revoke_agreement: agr.meters}",
    )
    message = error_of(path)
    assert f"{path} line 25: timeline[0]: each timeline step needs exactly one of" in message
    assert "miss" in message and "revoke_agreement" in message


def test_yaml_syntax_error(tmp_path: Path) -> None:
    path = write(tmp_path, "name: tiny-town", "name: tiny-town: again")
    assert f"{path} line 2: YAML syntax error" in error_of(path)


def test_yaml_alias_in_a_scenario_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "period: 30d", "period: &p 30d")
    assert f"{path} line 22: YAML error: anchors (&p) are not allowed" in error_of(path)


def test_non_utf8_scenario_names_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"name: caf\xe9\n")
    assert error_of(path) == (
        f"{path} line 1: not UTF-8 text: byte 0xe9 at byte offset 9 (column 10);"
        " save the file as UTF-8"
    )


# -- govledger scenario check -------------------------------------------------------------


def check(path: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "ledger.cli.main", "scenario", "check", str(path)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def test_check_a_bad_file_exits_1_with_the_message(tmp_path: Path) -> None:
    write(tmp_path, "period: 30d", "period: 30 days", name="bad.yaml")
    done = check(Path("bad.yaml"), cwd=tmp_path)  # relative: a short line on stderr
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    # The CLI wraps stderr at the terminal width: compare with the whitespace folded.
    folded = " ".join(done.stderr.split())
    assert "bad.yaml line 22: agreements[0].period: expected a duration such as 30m" in folded


def test_check_prints_the_message_verbatim(tmp_path: Path) -> None:
    path = write(tmp_path, "period: 30d", "period: '[b]thirty'", name="bad.yaml")
    message = error_of(path)
    done = check(path, cwd=tmp_path)
    assert done.returncode == 1
    assert message in done.stderr


def test_check_the_good_file_exits_0(tmp_path: Path) -> None:
    done = check(GOOD, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "river-town" in done.stdout
    assert "Traceback" not in done.stderr
