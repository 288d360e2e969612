"""Exactly-once replays: ``govledger scenario run`` is killed (SIGKILL) right after a step
of every kind has landed on chain, and once right before a step sends its transaction;
each time it is started again. The events indexed in the end are those of a run never
interrupted: the same names with the same arguments, each as often."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from eth_typing import HexStr

from ledger.core import Ledger
from ledger.scenario.runner import file_digest, load_scenario, run_scenario
from tests.conftest import cli_env, make_settings, run_cli

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "tests" / "scenario" / "data" / "replay-town.yaml"

# Runs the CLI, killed with SIGKILL ("after") right after the transaction that emits the
# event KILL_TOPIC at block KILL_HEIGHT or later (the step's transaction is on chain, its
# progress not saved yet), or ("before") right before the transaction that would mine
# block KILL_HEIGHT is sent (the step is recorded as pending, nothing is sent). Heights
# and events are those of the uninterrupted run.
KILLED_CLI = """\
import os, signal, sys
from ledger.chain.tx import Transactor
height, mode = int(os.environ["KILL_HEIGHT"]), os.environ["KILL_MODE"]
topic = os.environ["KILL_TOPIC"]
send_raw = Transactor._send_raw
def killing(self, signer, tx, contract):
    if mode == "before" and self.w3.eth.block_number + 1 >= height:
        os.kill(os.getpid(), signal.SIGKILL)
    receipt = send_raw(self, signer, tx, contract)
    emitted = {log["topics"][0].to_0x_hex() for log in receipt["logs"] if log["topics"]}
    if mode == "after" and receipt["blockNumber"] >= height and topic in emitted:
        os.kill(os.getpid(), signal.SIGKILL)
    return receipt
Transactor._send_raw = killing
from ledger.cli.main import main
sys.argv = ["govledger", *sys.argv[1:]]
main()
"""


class Event(NamedTuple):
    block: int
    time: int
    name: str
    args: dict[str, Any]
    topic: str  # the event's signature hash


class Kill(NamedTuple):
    height: int
    mode: str  # "after" or "before"
    topic: str


def cli(home: Path, *args: str, kill: Kill | None = None) -> subprocess.CompletedProcess[str]:
    if kill is None:
        return run_cli(*args, env=cli_env(home))
    killing = {"KILL_HEIGHT": str(kill.height), "KILL_MODE": kill.mode, "KILL_TOPIC": kill.topic}
    return run_cli(*args, env=cli_env(home) | killing, script=KILLED_CLI)


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


def indexed(home: Path) -> list[Event]:
    """Every indexed event, in chain order, accounts named by their department."""
    with Ledger.open(make_settings(home)) as ledger:
        names = {d["account"]: d["id"] for d in ledger.departments.list()}
        names[ledger.admin.address] = "admin"
        events = []
        for e in ledger.store.events():
            logs = ledger.w3.eth.get_transaction_receipt(HexStr(e.tx_hash))["logs"]
            topic = next(log["topics"][0] for log in logs if log["logIndex"] == e.log_index)
            events.append(
                Event(
                    e.block_number, e.block_time, e.event, _named(e.args, names), topic.to_0x_hex()
                )
            )
    return events


def multiset(events: list[Event]) -> Counter[str]:
    return Counter(json.dumps([e.name, e.args], sort_keys=True) for e in events)


def kill_points(events: list[Event], start: int) -> list[Event]:
    """The first event of each name a step emits, the re-transfer (an order's second
    transfer) and the reconnection (a system's second connection)."""
    first: dict[str, Event] = {}
    seen: Counter[tuple[str, str]] = Counter()
    points = []
    for e in events:
        if e.time < start:
            continue  # the setup: departments, roles, policies in force at the start
        first.setdefault(e.name, e)
        subject = str(e.args.get("orderId", e.args.get("systemId", "")))
        seen[e.name, subject] += 1
        if e.name in ("OrderTransferred", "SystemConnected") and seen[e.name, subject] == 2:
            points.append(e)
    return sorted([*points, *first.values()])


@pytest.fixture(scope="module")
def start() -> int:
    return int(time.time()) + 86_400


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, start: int) -> list[Event]:
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
    reference: list[Event],
) -> None:
    points = kill_points(reference, start)
    assert {e.name for e in points} == {
        "CatalogItemRegistered", "AgreementCommitted", "SystemRegistered", "DrillsPlanned",
        "PolicyProposed", "PolicyApproved", "PolicyAnchored", "SystemConnected",
        "OrderAccepted", "OrderTransferred", "OrderHandled", "OrderFeedbackGiven",
        "OrderCompleted", "DrillHeld", "OrderEvaluated", "StatisticAttested",
        "DeliveryRecorded", "SystemDisconnected", "OrderOverdue", "SlotFilled", "LogOpened",
        "DeliveryMissed", "CheckpointAnchored", "AgreementRevoked", "DrillMissed",
    }  # fmt: skip
    assert len(points) == 27  # with the re-transfer and the reconnection
    before = [
        next(e for e in reference if e.name == n) for n in ("OrderTransferred", "StatisticAttested")
    ]
    kills = sorted(
        [Kill(e.block, "after", e.topic) for e in points]
        + [Kill(e.block, "before", e.topic) for e in before],
        key=lambda k: (k.height, k.mode != "before"),
    )
    home = tmp_path / "home"
    prepare(home, start)
    for kill in kills:
        killed = cli(home, "scenario", "run", str(SCENARIO), kill=kill)
        assert killed.returncode == -signal.SIGKILL, (kill, killed.stdout, killed.stderr)

    resumed = cli(home, "scenario", "run", str(SCENARIO), "--json")
    assert resumed.returncode == 0, resumed.stderr
    got, expected = multiset(indexed(home)), multiset(reference)
    assert (got - expected, expected - got) == (Counter(), Counter())  # (extra, missing)
    report = json.loads(resumed.stdout)["scenario"]
    # The last kill left its step on chain, not recorded as done: this run finds it done.
    assert (report["steps"], report["skipped"]) == (31, 1)

    again = cli(home, "scenario", "run", str(SCENARIO), "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["scenario"] == {
        "name": "replay-town",
        "start": start,
        "steps": 31,
        "played": 0,
        "skipped": 0,
        "transactions": 0,
        "indexed_events": len(reference),
    }
