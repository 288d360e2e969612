"""Playing scenarios on the embedded chain: the clock stops at ``end``, an order may stay
open past its SLA, policies and agreements come at offsets with times relative to the
start, and what ``effects ingest`` says about entries a checkpoint does not cover yet."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ledger.core import Ledger
from ledger.scenario.runner import RunReport, file_digest, load_scenario, run_scenario
from tests.conftest import cli_env, make_settings, run_cli
from tests.scenario.conftest import small_town

ROOT = Path(__file__).resolve().parents[2]
DAY = 86_400
HOUR = 3600

# Written in the format as it was before these changes, so that only `end` is new to it.
END_TOWN = (
    small_town("end-town")
    + """\
agreements:
  - {id: agr.meters, item: item.meters, consumer: t.housing, policy: t.share, clause: c1,
     permission: open, first_due: 10d, period: 10d, periods: 3}
end: 20d
"""
)

LATER_TOWN = """\
schema_version: 1
name: later-town
departments:
  - {id: s.office, name: Office, roles: [ISSUER]}
  - {id: s.secretary, name: Secretary, roles: [LEADER]}
  - {id: s.mayor, name: Mayor, roles: [LEADER]}
  - {id: s.hotline, name: Hotline, roles: [OPERATOR]}
  - {id: s.water, name: Water Bureau}
  - {id: s.housing, name: Housing Bureau}
policies:
  - effective: 0d
    record:
      {schema_version: 1, id: s.share, version: 1, kind: policy, element: data_governance,
       title: Sharing, issuer: s.office, clauses: [{id: c1, text: Share.}]}
  - approved_by: [s.secretary, s.mayor]
    at: 5d
    effective: 5d
    record:
      {schema_version: 1, id: s.loop, version: 1, kind: institution,
       element: operating_mechanism, title: Loop, issuer: s.office, level: city,
       clauses: [{id: loop, text: Close the loop.}, {id: systems, text: Connect.}]}
catalog:
  - {id: item.meters, provider: s.water, type: meter-readings, permission: open}
agreements:
  - {id: agr.meters, item: item.meters, consumer: s.housing, policy: s.share, clause: c1,
     permission: open, at: 2d, first_due: 10d, period: 10d, periods: 2, calls_per_period: 100}
categories:
  - {id: complaint, sla: 72h}
systems:
  - {id: sys.pumps, owner: s.water, kind: business, heartbeat: 1h,
     connect: {policy: s.loop, clause: systems, at: 6d}}
work_orders:
  - {id: wo.done, at: 132h, category: complaint, policy: s.loop, clause: loop,
     operator: s.hotline, handler: s.water}
  - {id: wo.open, at: 7d, category: complaint, policy: s.loop, clause: loop,
     operator: s.hotline, handler: s.water, steps: {complete: null}}
  - {id: wo.stuck, at: 8d, category: complaint, policy: s.loop, clause: loop,
     operator: s.hotline, handler: s.water, steps: {handle: null}}
effects:
  log: s.calls
  owner: s.water
  policy: s.share
  clause: c1
  start: 12d
  seal_every: 4d
end: 20d
"""


@dataclass
class Played:
    home: Path
    report: RunReport
    now: int
    score_end: int
    events: dict[str, list[dict[str, object]]]
    times: dict[str, list[int]]


def play(tmp: Path, text: str) -> Played:
    path = tmp / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    home = tmp / "home"
    with Ledger.open(make_settings(home)) as ledger:
        report = run_scenario(ledger, load_scenario(path), tmp, file_digest(path))
        events: dict[str, list[dict[str, object]]] = {}
        times: dict[str, list[int]] = {}
        for e in ledger.store.events():
            events.setdefault(e.event, []).append(e.args)
            times.setdefault(e.event, []).append(e.block_time)
        now = ledger.clock.now()
        return Played(home, report, now, ledger.score()["window"]["end"], events, times)


@pytest.fixture(scope="module")
def end_town(tmp_path_factory: pytest.TempPathFactory) -> Played:
    return play(tmp_path_factory.mktemp("end-town"), END_TOWN)


@pytest.fixture(scope="module")
def later_town(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Played]:
    yield play(tmp_path_factory.mktemp("later-town"), LATER_TOWN)


# -- end ------------------------------------------------------------------------------


def test_nothing_after_the_end_is_played(end_town: Played) -> None:
    # Deliveries fall 6 hours before each due time: 9.75d, 19.75d and 29.75d. The end is
    # 20d, so the third is not played.
    assert [a["period"] for a in end_town.events["DeliveryRecorded"]] == [0, 1]
    start = end_town.report.start
    delivered = [start + 9 * DAY + 18 * HOUR, start + 19 * DAY + 18 * HOUR]
    assert end_town.times["DeliveryRecorded"] == delivered
    # register, commit, two deliveries
    assert end_town.report.steps == 4


def test_the_clock_and_the_score_stop_at_the_end(end_town: Played) -> None:
    assert end_town.now == end_town.report.start + 20 * DAY
    assert end_town.score_end == end_town.report.start + 20 * DAY


# -- orders left open, policies and agreements at offsets --------------------------------


def test_an_order_left_open_is_marked_overdue_an_hour_after_its_sla(later_town: Played) -> None:
    completed = [a["orderId"] for a in later_town.events["OrderCompleted"]]
    assert completed == ["wo.done"]
    overdue = later_town.events["OrderOverdue"]
    assert [a["orderId"] for a in overdue] == ["wo.open", "wo.stuck"]
    start = later_town.report.start
    # accepted at 7d and 8d; SLA 72h; marked an hour after the deadline
    assert [a["slaDeadline"] for a in overdue] == [start + 10 * DAY, start + 11 * DAY]
    assert later_town.times["OrderOverdue"] == [start + 10 * DAY + HOUR, start + 11 * DAY + HOUR]
    # wo.open got its feedback but no completion; wo.stuck was never handled
    handled = [a["orderId"] for a in later_town.events["OrderHandled"]]
    assert handled == ["wo.done", "wo.open"]
    assert [a["orderId"] for a in later_town.events["OrderFeedbackGiven"]] == handled
    assert [a["orderId"] for a in later_town.events["OrderEvaluated"]] == ["wo.done"]


def test_effective_times_are_relative_to_the_start(later_town: Played) -> None:
    start = later_town.report.start
    anchored = {a["policyId"]: a for a in later_town.events["PolicyAnchored"]}
    assert anchored["s.share"]["effectiveAt"] == start
    assert anchored["s.loop"]["effectiveAt"] == start + 5 * DAY
    # s.share is anchored while the scenario is set up; s.loop at 5d, by its second approval
    order = [a["policyId"] for a in later_town.events["PolicyAnchored"]]
    assert order == ["s.share", "s.loop"]
    share_time, loop_time = later_town.times["PolicyAnchored"]
    assert share_time < start
    # proposed in the block at 5d; the two approvals follow, one block (a second) each
    assert later_town.times["PolicyProposed"] == [start + 5 * DAY]
    assert later_town.times["PolicyApproved"] == [start + 5 * DAY + 1, start + 5 * DAY + 2]
    assert loop_time == start + 5 * DAY + 2
    assert len(later_town.events["PolicyApproved"]) == 2


def test_an_agreement_is_committed_at_its_offset(later_town: Played) -> None:
    start = later_town.report.start
    assert later_town.times["AgreementCommitted"] == [start + 2 * DAY]


# -- effects ingest after a run -----------------------------------------------------------


def govledger(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env=cli_env(home))


def test_ingest_after_a_run_says_what_waits_to_be_sealed(
    later_town: Played, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    shutil.copytree(later_town.home, home)
    start = later_town.report.start
    lines = [
        {"kind": "heartbeat", "system": "sys.pumps", "at": start + 20 * DAY - 60 * k}
        for k in range(1, 4)
    ]
    jsonl = tmp_path / "beats.jsonl"
    jsonl.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    status = json.loads(govledger(home, "effects", "status", "--json").stdout)
    assert status["pending"] == 0  # the run sealed everything it logged

    out = govledger(home, "effects", "ingest", str(jsonl))
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert f"3 lines: 3 added, 0 already logged, 0 rejected; {status['size']} entries" in text
    assert "3 entries are not sealed yet: no indicator counts them" in text
    assert "Run `govledger effects seal`" in text

    again = json.loads(govledger(home, "effects", "ingest", str(jsonl), "--json").stdout)
    assert (again["added"], again["unsealed"]) == (0, 3)
    sealed = govledger(home, "effects", "seal")
    assert sealed.returncode == 0, sealed.stderr
    quiet = govledger(home, "effects", "ingest", str(jsonl))
    assert "not sealed" not in quiet.stdout
