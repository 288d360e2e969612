"""``govledger jurisdiction`` as a registrar runs it, in process on one module ledger: the
tree built, listed and shown as text and as JSON, targets set and restored, and the
writes the chain refuses (a cycle, a second place, a department without REGISTRAR)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from ledger.cli.main import app
from tests.cli.test_audit_cli import main_fails
from tests.conftest import TEST_PASSWORD

ENV = {"GOVLEDGER_KEYSTORE_PASSWORD": TEST_PASSWORD, "COLUMNS": "200"}
OFFICE, CIVIL = "dcity.office", "dcity.civil"


def govledger(home: Path, *args: str) -> Result:
    return CliRunner().invoke(app, [*args, "--home", str(home)], env=ENV)


def ok(home: Path, *args: str) -> str:
    result = govledger(home, *args)
    assert result.exit_code == 0, f"{args}: {result.output} {result.exception!r}"
    return result.stdout


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """L province > D city > east district > first street; the office in the city."""
    home = tmp_path_factory.mktemp("jurisdictions") / "home"
    ok(home, "department", "add", OFFICE, "--name", "General Office", "--role", "REGISTRAR")
    ok(home, "department", "add", CIVIL, "--name", "Civil Affairs")
    ok(home, "jurisdiction", "add", "l", "--tier", "province", "--name", "L Province")
    ok(home, "jurisdiction", "add", "l.d", "--tier", "city", "--name", "D City", "--parent", "l")
    ok(home, "jurisdiction", "add", "l.d.e", "--tier", "3", "--name", "East", "--parent", "l.d")
    ok(home, "jurisdiction", "place", OFFICE, "l.d")
    return home


def test_add_as_a_registrar_department_then_list_as_text_and_json(home: Path) -> None:
    added = ok(
        home, "jurisdiction", "add", "l.d.e.s1", "--tier", "street", "--name", "First Street",
        "--parent", "l.d.e", "--by", OFFICE,
    )  # fmt: skip
    assert added.startswith("created street l.d.e.s1 (First Street) under l.d.e in block ")

    text = ok(home, "jurisdiction", "list")
    rows = [line for line in text.splitlines() if "│" in line]
    assert [r.split("│")[1].rstrip() for r in rows] == [
        " l",
        "   l.d",
        "     l.d.e",
        "       l.d.e.s1",
    ]
    assert "dcity.office" in rows[1] and "city" in rows[1]

    data = json.loads(ok(home, "jurisdiction", "list", "--json"))
    assert [(r["id"], r["depth"], r["tierName"]) for r in data] == [
        ("l", 0, "province"),
        ("l.d", 1, "city"),
        ("l.d.e", 2, "district"),
        ("l.d.e.s1", 3, "street"),
    ]
    assert data[1]["departments"] == [OFFICE] and data[1]["children"] == ["l.d.e"]


def test_show_as_text_and_json(home: Path) -> None:
    text = ok(home, "jurisdiction", "show", "l.d")
    assert text.splitlines() == [
        "l.d: D City (city, tier 2)",
        "  path: l > l.d",
        "  children: l.d.e",
        "  departments: dcity.office",
        "  targets: L4 by 2025-12-31T23:59:59Z, L5 by 2035-12-31T23:59:59Z",
    ]
    data = json.loads(ok(home, "jurisdiction", "show", "l.d.e", "--json"))
    assert data["path"] == ["l", "l.d"] and data["parentId"] == "l.d"
    assert data["tier"] == 3 and data["departments"] == []


def test_targets_set_shown_and_restored(home: Path) -> None:
    set_ = ok(
        home, "jurisdiction", "targets", "l.d.e", "--set", "2024-12-31=L3",
        "--set", "2026-06-30T12:00:00Z=4", "--json",
    )  # fmt: skip
    assert json.loads(set_) == [
        {"at": 1735689599, "time": "2024-12-31T23:59:59Z", "level": 3},
        {"at": 1782820800, "time": "2026-06-30T12:00:00Z", "level": 4},
    ]
    shown = ok(home, "jurisdiction", "targets", "l.d.e")
    assert "L3" in shown and "2024-12-31T23:59:59Z" in shown
    restored = json.loads(ok(home, "jurisdiction", "targets", "l.d.e", "--default", "--json"))
    assert [(m["time"], m["level"]) for m in restored] == [
        ("2025-12-31T23:59:59Z", 4),
        ("2035-12-31T23:59:59Z", 5),
    ]


def test_rename_move_and_place_again(home: Path) -> None:
    ok(home, "jurisdiction", "add", "l.k", "--tier", "city", "--name", "K City", "--parent", "l")
    assert "renamed l.k to K Town" in ok(home, "jurisdiction", "rename", "l.k", "--name", "K Town")
    assert "moved l.d.e under l.k" in ok(home, "jurisdiction", "move", "l.d.e", "--parent", "l.k")
    assert "placed dcity.civil in l.k" in ok(home, "jurisdiction", "place", CIVIL, "l.k")
    assert "placed dcity.civil in l.d.e" in ok(home, "jurisdiction", "place", CIVIL, "l.d.e")
    data = json.loads(ok(home, "jurisdiction", "show", "l.d.e", "--json"))
    assert (data["path"], data["departments"]) == (["l", "l.k"], [CIVIL])
    assert "moved l.d.e under l.d" in ok(home, "jurisdiction", "move", "l.d.e", "--parent", "l.d")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ("move", "l", "--parent", "l.d.e"),
            "error: JurisdictionCycle(jurisdictionId='l', newParentId='l.d.e')",
        ),
        (
            ("place", OFFICE, "l.d"),
            "error: DepartmentAlreadyPlaced(departmentId='dcity.office', jurisdictionId='l.d')",
        ),
        (
            ("add", "l.x", "--tier", "city", "--name", "X", "--parent", "l", "--by", CIVIL),
            "error: department 'dcity.civil' does not hold the REGISTRAR role",
        ),
        (("show", "nowhere"), "error: JurisdictionUnknown(jurisdictionId='nowhere')"),
        (
            ("add", "l.x", "--tier", "city", "--name", " ", "--parent", "l"),
            "error: name: a jurisdiction's name must not be empty",
        ),
        (
            ("targets", "l.d", "--set", "1969-12-30=2"),
            "error: milestones.0.at: Input should be greater than or equal to 0",
        ),
        (
            ("targets", "l.d", "--set", "2026-01-01=4", "--set", "2025-01-01=5"),
            "error: InvalidMilestones(jurisdictionId='l.d')",
        ),
    ],
)
def test_refused_writes_and_unknown_ids_exit_1_with_the_error(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    error: str,
) -> None:
    out = main_fails(home, monkeypatch, capsys, "jurisdiction", *args)
    assert out.err.strip() == error
    assert out.out == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "x", "--tier", "planet", "--name", "X"), "unknown tier 'planet'"),
        (("move", "l.d"), "give exactly one of --parent ID or --root"),
        (("move", "l.d", "--parent", "l", "--root"), "give exactly one of --parent ID or --root"),
        (("targets", "l.d", "--set", "2025-12-31"), "must be DATE=LEVEL"),
        (("targets", "l.d", "--set", "2025-13-31=4"), "is not a date"),
        (("targets", "l.d", "--set", "2025-12-31=L6"), "must be DATE=LEVEL"),
        (("targets", "l.d", "--set", "2025-12-31=4", "--default"), "--set or --default"),
    ],
)
def test_bad_options_are_refused_before_the_ledger_opens(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    home = tmp_path / "none"
    result = govledger(home, "jurisdiction", *args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split()).replace("│", "").replace("  ", " ")
    assert not home.exists()
