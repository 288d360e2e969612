"""Exactly-once replays: ``govledger scenario run`` is killed (SIGKILL) right after a step
of every kind has landed on chain, and once right before a step sends its transaction;
each time it is started again. The events indexed in the end are those of a run never
interrupted: the same names with the same arguments, each as often."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ledger.core import Ledger
from ledger.scenario.runner import file_digest, load_scenario, run_scenario
from tests.conftest import TEST_PASSWORD, make_settings

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "tests" / "scenario" / "data" / "replay-town.yaml"

# Runs the CLI, killed with SIGKILL once block KILL_HEIGHT is mined ("after": the step's
# transaction is on chain, its progress not yet saved) or just before the transaction
# that would mine it is sent ("before": the step is recorded as pending, nothing sent).
KILLED_CLI = """\
import os, signal, sys
from ledger.chain.tx import Transactor
height, mode = int(os.environ["KILL_HEIGHT"]), os.environ["KILL_MODE"]
send_raw = Transactor._send_raw
def killing(self, signer, tx, contract):
    if mode == "before" and self.w3.eth.block_number + 1 == height:
        os.kill(os.getpid(), signal.SIGKILL)
    receipt = send_raw(self, signer, tx, contract)
    if mode == "after" and receipt["blockNumber"] == height:
        os.kill(os.getpid(), signal.SIGKILL)
    return receipt
Transactor._send_raw = killing
from ledger.cli.main import main
sys.argv = ["govledger", *sys.argv[1:]]
main()
"""


def cli(
    home: Path, *args: str, kill: tuple[int, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = os.environ | {
        "GOVLEDGER_HOME": str(home),
        "GOVLEDGER_KEYSTORE_PASSWORD": TEST_PASSWORD,
        "COLUMNS": "200",
        "PYTHONPATH": str(ROOT),
    }
    if kill is None:
        command = [sys.executable, "-m", "ledger.cli.main", *args]
    else:
        env |= {"KILL_HEIGHT": str(kill[0]), "KILL_MODE": kill[1]}
        command = [sys.executable, "-c", KILLED_CLI, *args]
    return subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=300, check=False
    )


def prepare(home: Path, start: int) -> None:
    """A deployed ledger whose scenario starts at ``start``: both runs share the start, so
    that due times, effect-log entries and their roots are the same."""
    with Ledger.open(make_settings(home)):
        pass
    state = home / "scenarios" / "replay-town.json"
    state.parent.mkdir(mode=0o700)
    state.write_text(json.dumps({"start": start, "digest": file_digest(SCENARIO), "done": 0}))


def _named(value: Any, names: dict[str, str]) -> Any:
    """Accounts differ between ledgers: name them by their department."""
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [_named(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _named(v, names) for k, v in value.items()}
    return value


def indexed(home: Path) -> tuple[Counter[str], list[tuple[int, int, str, dict[str, Any]]]]:
    """The multiset of indexed events (name and arguments), and every event with its block
    number and time."""
    with Ledger.open(make_settings(home)) as ledger:
        names = {d["account"]: d["id"] for d in ledger.departments.list()}
        names[ledger.admin.address] = "admin"
        events = [
            (e.block_number, e.block_time, e.event, _named(e.args, names))
            for e in ledger.store.events()
        ]
    return Counter(json.dumps([e[2], e[3]], sort_keys=True) for e in events), events


def kill_points(events: list[tuple[int, int, str, dict[str, Any]]], start: int) -> list[int]:
    """The block of the first event of each name a step emits; of the re-transfer (an
    order's second transfer) and of the reconnection (a system's second connection)."""
    first: dict[str, int] = {}
    seen: Counter[tuple[str, str]] = Counter()
    points = set()
    for block, at, name, args in events:
        if at < start:
            continue  # the setup: departments, roles, policies in force at the start
        first.setdefault(name, block)
        subject = str(args.get("orderId", args.get("systemId", "")))
        seen[name, subject] += 1
        if name in ("OrderTransferred", "SystemConnected") and seen[name, subject] == 2:
            points.add(block)
    return sorted(points | set(first.values()))


@pytest.fixture(scope="module")
def start() -> int:
    return int(time.time()) + 86_400


@pytest.fixture(scope="module")
def reference(
    tmp_path_factory: pytest.TempPathFactory, start: int
) -> tuple[Counter[str], list[tuple[int, int, str, dict[str, Any]]]]:
    home = tmp_path_factory.mktemp("uninterrupted") / "home"
    prepare(home, start)
    with Ledger.open(make_settings(home)) as ledger:
        report = run_scenario(
            ledger, load_scenario(SCENARIO), SCENARIO.parent, file_digest(SCENARIO)
        )
    assert report.steps == report.played == 31
    return indexed(home)


def test_killed_after_every_kind_of_step_plays_each_once(
    tmp_path: Path,
    start: int,
    reference: tuple[Counter[str], list[tuple[int, int, str, dict[str, Any]]]],
) -> None:
    expected, events = reference
    points = kill_points(events, start)
    names = {name for block, _at, name, _args in events if block in points}
    assert names == {
        "CatalogItemRegistered", "AgreementCommitted", "SystemRegistered", "DrillsPlanned",
        "PolicyProposed", "PolicyApproved", "PolicyAnchored", "SystemConnected",
        "OrderAccepted", "OrderTransferred", "OrderHandled", "OrderFeedbackGiven",
        "OrderCompleted", "DrillHeld", "OrderEvaluated", "StatisticAttested",
        "DeliveryRecorded", "SystemDisconnected", "OrderOverdue", "SlotFilled", "LogOpened",
        "DeliveryMissed", "CheckpointAnchored", "AgreementRevoked", "DrillMissed",
    }  # fmt: skip
    transfer = next(b for b, _t, name, _a in events if name == "OrderTransferred")
    attest = next(b for b, _t, name, _a in events if name == "StatisticAttested")
    kills = sorted(
        [(b, "after") for b in points] + [(transfer, "before"), (attest, "before")],
        key=lambda k: (k[0], k[1] != "before"),
    )
    home = tmp_path / "home"
    prepare(home, start)
    for kill in kills:
        killed = cli(home, "scenario", "run", str(SCENARIO), kill=kill)
        assert killed.returncode == -signal.SIGKILL, (kill, killed.stdout, killed.stderr)

    resumed = cli(home, "scenario", "run", str(SCENARIO), "--json")
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)["scenario"]
    # The last kill left its step on chain, not recorded as done: this run finds it done.
    assert (report["steps"], report["skipped"]) == (31, 1)

    again = cli(home, "scenario", "run", str(SCENARIO), "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["scenario"] | {"indexed_events": 0} == {
        "name": "replay-town",
        "start": start,
        "steps": 31,
        "played": 0,
        "skipped": 0,
        "transactions": 0,
        "indexed_events": 0,
    }

    got, got_events = indexed(home)
    assert got == expected
    assert [(b, name) for b, _t, name, _a in got_events] == [
        (b, name) for b, _t, name, _a in events
    ]
