"""The CLI says in words when a department acts on another department's object."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import govledger
from tests.conftest import sample_policy_file

POLICY = "test.sharing"
HOTLINE = "dcity.govoffice"  # the sample policy's issuer runs the hotline


def ok(home: Path, *args: str) -> str:
    out = govledger(home, *args)
    assert out.returncode == 0, f"govledger {' '.join(args)}:\n{out.stdout}\n{out.stderr}"
    return out.stdout


def test_another_operators_order_is_refused_in_words(tmp_path: Path) -> None:
    home, policy, case = tmp_path / "home", tmp_path / "policy.yaml", tmp_path / "case.txt"
    sample_policy_file(policy, POLICY)
    case.write_text("a citizen's request")
    ok(home, "department", "add", HOTLINE, "--name", "General Office",
       "--role", "ISSUER", "--role", "OPERATOR")  # fmt: skip
    ok(home, "department", "add", "dcity.other", "--name", "Other", "--role", "OPERATOR")
    ok(home, "policy", "anchor", str(policy))
    ok(home, "order", "category", "noise", "--sla-hours", "24")
    ok(home, "order", "accept", "o.1", "--operator", HOTLINE, "--category", "noise",
       "--policy", POLICY, "--clause", "c1", "--case-file", str(case))  # fmt: skip

    out = govledger(home, "order", "transfer", "o.1", "--operator", "dcity.other", "--to", HOTLINE)

    assert out.returncode == 4  # the contract refused it
    said = " ".join(out.stderr.split())
    assert said == f"error: order o.1 belongs to {HOTLINE}, not dcity.other (NotOwner)"
