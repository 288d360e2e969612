"""Every command fails one way: ``error: ...`` (and a hint) on stderr, or under ``--json``
one JSON object on stderr, with the exit code of its kind (``ledger.cli.failures``).

Commands run in process (``CliRunner``) on one small ledger set up once; the few that
must show what a real process prints (a dead node) run as processes.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import typer
from typer.testing import CliRunner

from ledger.chain.identity import LedgerIdentity, write_identity
from ledger.cli.failures import ExitCode, ReportingGroup, failure_of, json_requested
from ledger.cli.main import app
from ledger.errors import (
    ConfigError,
    ContractRevert,
    KeystoreError,
    LedgerBusyError,
    LedgerValueError,
    NodeUnavailableError,
    NotFoundError,
)
from ledger.scenario.plan import ScenarioError
from tests.conftest import TEST_PASSWORD, cli_env, run_cli, sample_policy_file

OPERATOR = "dcity.govoffice"
HANDLER = "dcity.security"
POLICY = "test.sharing"


def run(home: Path, *args: str) -> Any:
    env = {"GOVLEDGER_HOME": str(home), "GOVLEDGER_KEYSTORE_PASSWORD": TEST_PASSWORD}
    return CliRunner().invoke(app, list(args), env=env | {"COLUMNS": "300"})


def ok(home: Path, *args: str) -> str:
    result = run(home, *args)
    assert result.exit_code == 0, f"govledger {' '.join(args)}:\n{result.output}"
    return str(result.stdout)


def said(result: Any) -> str:
    """What a failed command said on stderr, its whitespace folded."""
    return " ".join(result.stderr.split())


def as_json(result: Any) -> dict[str, Any]:
    """The JSON object a failed ``--json`` command wrote on stderr (stdout stays empty)."""
    assert result.stdout == ""
    data: dict[str, Any] = json.loads(result.stderr)
    return data


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("failures")
    home = folder / "home"
    policy = folder / "policy.yaml"
    sample_policy_file(policy, POLICY)
    ok(home, "department", "add", OPERATOR, "--name", "General Office", "--role", "ISSUER")
    ok(home, "department", "add", HANDLER, "--name", "Public Security Bureau")
    ok(home, "policy", "anchor", str(policy))
    return home


# -- unknown ids: exit 1, kind not-found ------------------------------------------------

#: A command naming an id the ledger does not know, and the message it must give.
UNKNOWN: list[tuple[list[str], str]] = [
    (["score", "--department", "nope"], "department 'nope' not found"),
    (["score", "--department", "nope", "--series"], "department 'nope' not found"),
    (["score", "publish", "--department", "nope"], "department 'nope' not found"),
    (["events", "--department", "nope"], "department 'nope' not found"),
    (["events", "--policy", "no.such"], "policy 'no.such' not found"),
    (["finding", "list", "--policy", "no.such"], "policy 'no.such' not found"),
    (["finding", "list", "--department", "nope"], "department 'nope' not found"),
    (["finding", "overdue", "F.nope"], "finding 'F.nope' not found"),
    (["order", "list", "--department", "nope"], "department 'nope' not found"),
    (["order", "show", "o.nope"], "work order 'o.nope' not found"),
    (["score", "verify", "99"], "published score '99' not found"),
    (["policy", "verify", "no.such"], "policy 'no.such' not found"),
    (["audit", "verify", "--policy", "no.such"], "policy 'no.such' not found"),
    (["apikey", "create", "nope.dept"], "department 'nope.dept' not found"),
]


@pytest.mark.parametrize(("args", "message"), UNKNOWN, ids=lambda a: " ".join(a)[:40])
def test_an_unknown_id_exits_1_with_a_clear_message(
    home: Path, args: list[str], message: str
) -> None:
    plain = run(home, *args)
    assert (plain.exit_code, said(plain)) == (1, f"error: {message}")
    assert plain.stdout == ""

    machine = run(home, "--json", *args)
    assert machine.exit_code == 1
    error = as_json(machine)["error"]
    assert (error["kind"], error["message"]) == ("not-found", message)
    assert error["id"] == message.split("'")[1]


#: A command whose id the contract does not know: the revert, explained.
UNKNOWN_ON_CHAIN: list[tuple[list[str], str, dict[str, str]]] = [
    (
        ["agreement", "deliver", "agr.nope", "--department", OPERATOR, "--period", "0",
         "--records", "1"],
        "no data-sharing agreement 'agr.nope' exists (AgreementUnknown)",
        {"agreementId": "agr.nope"},
    ),
    (
        ["order", "handle", "o.nope", "--department", HANDLER],
        "no work order 'o.nope' exists (OrderUnknown)",
        {"orderId": "o.nope"},
    ),
    (
        ["drill", "miss", "plan.nope", "--index", "0"],
        "no drill plan 'plan.nope' exists (PlanUnknown)",
        {"planId": "plan.nope"},
    ),
    (
        ["system", "connect", "sys.nope", "--department", HANDLER, "--policy", POLICY,
         "--clause", "c1"],
        "no system 'sys.nope' is registered (SystemUnknown)",
        {"systemId": "sys.nope"},
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message", "arguments"), UNKNOWN_ON_CHAIN, ids=lambda a: str(a)[:30]
)
def test_an_id_the_contract_does_not_know_is_explained_in_words(
    home: Path, args: list[str], message: str, arguments: dict[str, str]
) -> None:
    plain = run(home, *args)
    assert (plain.exit_code, said(plain)) == (1, f"error: {message}")

    machine = run(home, "--json", *args)
    assert machine.exit_code == 1
    error = as_json(machine)["error"]
    name = message.rsplit("(", 1)[1].rstrip(")")
    assert error == {
        "kind": "not-found",
        "message": message,
        "name": name,
        "args": arguments,
        "contract": error["contract"],
    }
    assert error["contract"] in ("DataSharing", "WorkOrders", "Drills", "Systems")


# -- a revert: exit 4 --------------------------------------------------------------------


def test_a_revert_exits_4_explained_with_its_name_and_arguments(home: Path) -> None:
    ok(home, "system", "register", "slot.customs", "--department", HANDLER, "--kind",
       "customs", "--heartbeat-seconds", "60", "--reserved")  # fmt: skip
    args = ["system", "connect", "slot.customs", "--department", HANDLER, "--policy", POLICY]
    args += ["--clause", "c1"]

    plain = run(home, *args)
    machine = run(home, "--json", *args)

    message = "system 'slot.customs' is a reserved slot: fill it before it connects (SlotReserved)"
    assert (plain.exit_code, said(plain)) == (4, f"error: {message}")
    assert machine.exit_code == 4
    assert as_json(machine) == {
        "error": {
            "kind": "contract-revert",
            "message": message,
            "name": "SlotReserved",
            "args": {"systemId": "slot.customs"},
            "contract": "Systems",
        }
    }


# -- files: one way everywhere -------------------------------------------------------------

#: Every command that reads a file named on its command line, with that file.
FILE_COMMANDS: list[Callable[[str], list[str]]] = [
    lambda f: ["policy", "anchor", f],
    lambda f: ["scenario", "run", f],
    lambda f: ["scenario", "check", f],
    lambda f: ["effects", "ingest", f],
    lambda f: ["order", "accept", "o.f", "--operator", OPERATOR, "--category", "noise",
               "--policy", POLICY, "--clause", "c1", "--case-file", f],
    lambda f: ["order", "feedback", "o.f", "--department", HANDLER, "--file", f],
    lambda f: ["stat", "attest", "k", "--department", OPERATOR, "--value", "0.5", "--period",
               "2025", "--source", f, "--policy", POLICY, "--clause", "c1"],
    lambda f: ["drill", "hold", "plan.f", "--department", HANDLER, "--index", "0", "--seats",
               "1", "--systems", "1", "--record", f],
    lambda f: ["finding", "respond", "F.f", "--department", HANDLER, "--plan", f,
               "--evidence", f],
    lambda f: ["finding", "review", "F.f", "--accept", "--note", f],
]  # fmt: skip


@pytest.mark.parametrize("command", FILE_COMMANDS, ids=lambda c: " ".join(c("F")[:2]))
def test_a_missing_file_is_reported_one_way_with_its_path(
    home: Path, tmp_path: Path, command: Callable[[str], list[str]]
) -> None:
    missing = str(tmp_path / "absent.txt")

    plain = run(home, *command(missing))
    machine = run(home, "--json", *command(missing))
    folder = run(home, *command(str(tmp_path)))

    assert (plain.exit_code, said(plain)) == (1, f"error: {missing}: no such file")
    assert machine.exit_code == 1
    assert as_json(machine) == {
        "error": {"kind": "unreadable-file", "message": f"{missing}: no such file", "path": missing}
    }
    assert (folder.exit_code, said(folder)) == (1, f"error: {tmp_path}: is a directory, not a file")


# -- usage: exit 2 ---------------------------------------------------------------------------


def test_a_malformed_command_line_exits_2_with_a_hint(home: Path) -> None:
    plain = run(home, "agreement", "deliver", "--bogus")
    machine = run(home, "policy", "list", "--json", "--bogus")

    assert plain.exit_code == 2
    assert said(plain) == (
        "error: No such option: --bogus hint: see `govledger agreement deliver --help`"
    )
    assert machine.exit_code == 2
    assert as_json(machine) == {
        "error": {
            "kind": "usage",
            "message": "No such option: --bogus",
            "hint": "see `govledger policy list --help`",
        }
    }


def test_a_group_without_a_command_shows_its_help(home: Path) -> None:
    result = run(home, "policy")
    assert result.exit_code == 2
    assert "anchor" in result.output and "error" not in result.output


def test_json_is_asked_for_before_any_double_dash() -> None:
    assert json_requested(["policy", "list", "--json"])
    assert json_requested(["--json", "order", "show", "o1"])
    assert not json_requested(["policy", "anchor", "--", "--json"])
    assert not json_requested(["policy", "list"])


# -- the node: exit 3, its address without credentials ----------------------------------------


@pytest.fixture
def dead_node() -> str:
    """A URL with credentials for a local port that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://admin:s3cret@127.0.0.1:{port}/rpc?key=k"


def test_a_dead_node_is_named_without_credentials_and_exits_3(
    tmp_path: Path, dead_node: str
) -> None:
    address = dead_node.split("@")[1].split("/")[0]
    made_on_node = tmp_path / "node-home"
    made_on_node.mkdir()
    write_identity(made_on_node, LedgerIdentity("rpc", 31337, "0x" + "11" * 32, address))
    fresh = tmp_path / "fresh"

    for home, args in (
        (made_on_node, ["policy", "list"]),
        (made_on_node, ["score", "--json"]),
        (fresh, ["department", "add", "d.x", "--name", "X"]),
    ):
        done = run_cli(*args, env=cli_env(home) | {"GOVLEDGER_RPC_URL": dead_node})
        assert done.returncode == 3, (args, done.stderr)
        message = f"the chain node at http://{address} does not answer (ConnectionError)"
        hint = "start the node, or set GOVLEDGER_RPC_URL to one that runs"
        if "--json" in args:
            assert json.loads(done.stderr) == {
                "error": {"kind": "chain-unavailable", "message": message, "hint": hint}
            }
        else:
            assert done.stderr.splitlines() == [f"error: {message}", f"hint: {hint}"]
        for secret in ("s3cret", "admin", "key=k", "Traceback", "urllib3", "HTTPConnection"):
            assert secret not in done.stderr + done.stdout


# -- every kind, through the one renderer -----------------------------------------------------

#: An error, the kind and exit code it is reported with, and its hint.
KINDS: list[tuple[BaseException, str, ExitCode, str | None]] = [
    (LedgerValueError("a share is in [0, 1]"), "invalid-input", ExitCode.REFUSED, None),
    (ConfigError("no ledger in /x"), "not-configured", ExitCode.REFUSED, None),
    (KeystoreError("wrong password"), "refused", ExitCode.REFUSED, None),
    (NotFoundError("policy", "p"), "not-found", ExitCode.REFUSED, None),
    (
        ContractRevert("ItemExists", {"itemId": "i"}, "DataSharing"),
        "contract-revert",
        ExitCode.REVERTED,
        None,
    ),
    (
        ContractRevert("NotSystemOwner", {"systemId": "s", "callerId": "d"}, "Systems"),
        "not-yours",
        ExitCode.REVERTED,
        None,
    ),
    (
        NodeUnavailableError("the chain node at http://h:1 does not answer (Timeout)"),
        "chain-unavailable",
        ExitCode.UNAVAILABLE,
        "start the node, or set GOVLEDGER_RPC_URL to one that runs",
    ),
    (
        LedgerBusyError("the embedded chain is held"),
        "busy",
        ExitCode.UNAVAILABLE,
        "another govledger process holds this ledger's embedded chain; retry when it is done",
    ),
    (
        RuntimeError("boom"),
        "internal",
        ExitCode.BUG,
        "this is a bug in govledger; run again with GOVLEDGER_DEBUG=1 for the traceback",
    ),
]


def _failing_app(err: BaseException) -> typer.Typer:
    tiny = typer.Typer(cls=ReportingGroup, add_completion=False)

    @tiny.command()
    def fail(as_json: bool = typer.Option(False, "--json")) -> None:
        raise err

    @tiny.command()
    def other() -> None:  # two commands: the app is a group, as govledger is
        raise AssertionError

    return tiny


@pytest.mark.parametrize(("err", "kind", "code", "hint"), KINDS, ids=lambda v: str(v)[:20])
def test_each_kind_has_its_exit_code_in_words_and_in_json(
    err: BaseException, kind: str, code: ExitCode, hint: str | None
) -> None:
    failure = failure_of(err)
    tiny = _failing_app(err)

    plain = CliRunner().invoke(tiny, ["fail"])
    machine = CliRunner().invoke(tiny, ["fail", "--json"])

    assert (failure.kind, failure.code, failure.hint) == (kind, code, hint)
    lines = [f"error: {failure.message}"] + ([f"hint: {hint}"] if hint else [])
    assert (plain.exit_code, plain.stderr.splitlines()) == (code, lines)
    body = {"kind": kind, "message": failure.message, **failure.details}
    if hint:
        body["hint"] = hint
    assert (machine.exit_code, json.loads(machine.stderr)) == (code, {"error": body})


def test_a_revert_is_explained_and_a_bug_named_by_its_type() -> None:
    revert = failure_of(ContractRevert("ItemExists", {"itemId": "i"}, "DataSharing"))
    assert revert.message == "catalog item 'i' is already registered (ItemExists)"
    assert failure_of(RuntimeError("boom")).message == "RuntimeError: boom"


def test_a_revert_told_with_its_context_keeps_its_kind_and_exit_code() -> None:
    revert = ContractRevert("PeriodClosed", {"agreementId": "a", "period": 0, "status": 1})
    try:
        raise ScenarioError("step 3 of 9 (deliver a period 0): ...") from revert
    except ScenarioError as err:
        failure = failure_of(err)
    assert (failure.kind, failure.code) == ("contract-revert", ExitCode.REVERTED)
    assert failure.message == "step 3 of 9 (deliver a period 0): ..."
    assert failure.details["name"] == "PeriodClosed"


def test_a_node_lost_during_a_command_is_unavailable_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVLEDGER_RPC_URL", "https://u:p@node.example:8545/x")
    failure = failure_of(requests.ConnectionError("HTTPSConnectionPool(host=...) u:p"))
    assert (failure.kind, failure.code) == ("chain-unavailable", ExitCode.UNAVAILABLE)
    assert failure.message == (
        "the chain node at https://node.example:8545 does not answer (ConnectionError)"
    )


def test_a_bug_shows_its_traceback_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVLEDGER_DEBUG", "1")
    result = CliRunner().invoke(_failing_app(RuntimeError("boom")), ["fail"])
    assert isinstance(result.exception, RuntimeError)


def test_an_explicit_exit_code_passes_through() -> None:
    tiny = _failing_app(typer.Exit(5))
    assert CliRunner().invoke(tiny, ["fail"]).exit_code == 5
    assert CliRunner().invoke(tiny, ["--help"]).exit_code == 0
