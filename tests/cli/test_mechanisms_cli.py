"""``govledger order|drill|system|stat`` as a user runs them: one short happy path each.

Every command is a process of its own (about 3 s each), so the groups share one
ledger, set up once with ``department add`` and ``policy anchor``. Bad values are
refused before any ledger is opened, so they are checked in process.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger.cli.main import app
from tests.cli.test_cli import govledger
from tests.conftest import sample_policy_file

OPERATOR = "dcity.govoffice"  # issuer, hotline operator and statistician
HANDLER = "dcity.security"
POLICY = "test.sharing"
CASE = b"Zhang San, 138 0000 0000: construction noise after 22:00 on Hexi Road"


def ok(home: Path, *args: str) -> str:
    out = govledger(home, *args)
    assert out.returncode == 0, f"govledger {' '.join(args)}:\n{out.stdout}\n{out.stderr}"
    return out.stdout


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mechanisms")
    home = folder / "home"
    policy = folder / "policy.yaml"
    sample_policy_file(policy, POLICY)
    roles = ["--role", "ISSUER", "--role", "OPERATOR", "--role", "STATISTICIAN"]
    ok(home, "department", "add", OPERATOR, "--name", "General Office", *roles)
    ok(home, "department", "add", HANDLER, "--name", "Public Security Bureau")
    ok(home, "policy", "anchor", str(policy))
    return home


def test_a_work_order_through_its_six_stages(home: Path, tmp_path: Path) -> None:
    case, feedback = tmp_path / "case.txt", tmp_path / "feedback.txt"
    case.write_bytes(CASE)
    feedback.write_text("Site inspected; night work stopped.")
    cited = ["--policy", POLICY, "--clause", "c1"]

    assert "SLA 24 h" in ok(home, "order", "category", "noise", "--sla-hours", "24")
    accepted = ok(
        home, "order", "accept", "o1", "--operator", OPERATOR, "--category", "noise", *cited,
        "--case-file", str(case),
    )  # fmt: skip
    ok(home, "order", "transfer", "o1", "--operator", OPERATOR, "--to", HANDLER)
    ok(home, "order", "handle", "o1", "--department", HANDLER)
    ok(home, "order", "feedback", "o1", "--department", HANDLER, "--file", str(feedback))
    assert "within its SLA" in ok(home, "order", "complete", "o1", "--operator", OPERATOR)
    ok(home, "order", "evaluate", "o1", "--operator", OPERATOR, "--score", "5")
    listed = json.loads(ok(home, "order", "list", "--json"))

    # The salt is printed once, and with it anyone holding the case file proves the digest.
    digest = re.search(r"case digest (0x[0-9a-f]{64})", accepted)
    salt = re.search(r"salt (0x[0-9a-f]{32})", accepted)
    assert digest and salt, accepted
    assert accepted.count(salt[1]) == 1
    assert "0x" + hashlib.sha256(bytes.fromhex(salt[1][2:]) + CASE).hexdigest() == digest[1]
    [order] = listed
    assert (order["orderId"], order["stage"], order["score"]) == ("o1", "evaluated", 5)
    assert (order["handlerId"], order["operatorId"], order["late"]) == (HANDLER, OPERATOR, False)
    assert order["caseDigest"] == digest[1]
    assert order["feedbackDigest"] == "0x" + hashlib.sha256(feedback.read_bytes()).hexdigest()
    # Neither the case file nor the salt is kept anywhere in the ledger's data directory.
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert CASE not in data and salt[1][2:].encode() not in data, path


def test_a_drill_plan_and_a_drill_held(home: Path) -> None:
    ok(
        home, "drill", "plan", "q1", "--department", HANDLER, "--policy", POLICY,
        "--clause", "c2", "--kind", "half", "--first-due-in-days", "1", "--interval-days", "30",
        "--count", "3", "--seats", "69",
    )  # fmt: skip
    held = ok(
        home, "drill", "hold", "q1", "--department", HANDLER, "--index", "0", "--seats", "40",
        "--systems", "29",
    )  # fmt: skip
    [plan] = json.loads(ok(home, "drill", "list", "--json"))

    assert "recorded drill q1#0 held" in held
    assert (plan["kind"], plan["requiredSeats"], plan["totalSeats"]) == ("half", 35, 69)
    assert (plan["held"], plan["onTime"], plan["seatsMet"], plan["open"]) == (1, 1, 1, 2)
    assert [d["status"] for d in plan["drills"]] == ["held", "open", "open"]
    assert plan["drills"][2]["dueAt"] - plan["drills"][0]["dueAt"] == 60 * 86_400


def test_systems_and_a_reserved_slot(home: Path) -> None:
    owner = ["--department", HANDLER]
    slot = ok(
        home, "system", "register", "customs", *owner, "--kind", "customs",
        "--heartbeat-seconds", "300", "--reserved",
    )  # fmt: skip
    ok(
        home, "system", "register", "video", *owner, "--kind", "video",
        "--heartbeat-seconds", "60", "--feeds-data-center",
    )  # fmt: skip
    ok(home, "system", "connect", "video", *owner, "--policy", POLICY, "--clause", "c3")
    rows = {r["systemId"]: r for r in json.loads(ok(home, "system", "list", "--json"))}

    assert "registered reserved slot customs" in slot
    assert (rows["customs"]["reserved"], rows["customs"]["connected"]) == (True, False)
    assert (rows["video"]["reserved"], rows["video"]["connected"]) == (False, True)
    assert rows["video"]["feedsDataCenter"] is True


def test_an_attested_statistic(home: Path, tmp_path: Path) -> None:
    source = tmp_path / "survey.csv"
    source.write_text("district,households,fibre\nall,100000,90000\n")

    attested = ok(
        home, "stat", "attest", "fibre.home", "--department", OPERATOR, "--value", "0.9",
        "--period", "2025", "--source", str(source), "--policy", POLICY, "--clause", "c1",
    )  # fmt: skip
    [stat] = json.loads(ok(home, "stat", "list", "--json"))

    assert "attested fibre.home = 90.00% for 2025 (version 1)" in attested
    assert (stat["key"], stat["value"], stat["version"]) == ("fibre.home", 0.9, 1)
    assert stat["sourceDigest"] == "0x" + hashlib.sha256(source.read_bytes()).hexdigest()
    assert stat["attesterId"] == OPERATOR and len(stat["history"]) == 1


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (
            f"order evaluate o1 --operator {OPERATOR} --score 7",
            "Invalid value for --score: a satisfaction score runs from 1 (worst) to 5 (best),"
            " not 7",
        ),
        (
            f"drill plan q --department {HANDLER} --policy {POLICY} --clause c2 --kind quarterly",
            "Invalid value for --kind: unknown drill kind 'quarterly'; use one of full, half",
        ),
        (
            f"stat attest k --department {OPERATOR} --value 1.5 --period 2025 --source {__file__}"
            f" --policy {POLICY} --clause c1",
            "Invalid value for --value: a statistic's value is a share in [0, 1];"
            " 1.5 is outside it",
        ),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(
    command: str, message: str, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = {"GOVLEDGER_HOME": str(home), "COLUMNS": "300"}

    result = CliRunner().invoke(app, command.split(), env=env)

    assert result.exit_code == 2
    assert message in result.output
    assert not home.exists()  # refused before any ledger was opened
